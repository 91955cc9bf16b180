import AMQPCodec
import Foundation
import Routing

/// A link the server accepted on a connection, and what serving it takes.
struct AMQPServedLink: Sendable {
    /// What the link is for.
    enum Kind: Sendable {
        /// The client's `$cbs` sender: put-token requests arrive here.
        case claimsRequests
        /// The client's `$cbs` receiver: replies go here.
        case claimsReplies
        /// The client's `$management` sender.
        case managementRequests
        /// The client's `$management` receiver.
        case managementReplies
        /// An Event Hubs partition receiver.
        case partition(Partition)
        /// The service's C2D sender (`/messages/devicebound`).
        case cloudToDevice
        /// The service's feedback or file-notification receiver.
        case serviceBound(ServiceBound)
        /// A device's telemetry sender (`…/messages/events`).
        case deviceTelemetry(AMQPDeviceIdentity)
        /// A device's C2D receiver (`…/messages/devicebound`).
        case deviceCloudToDevice(DeviceCloudToDevice)
        /// A device's methods receiver: requests go out here.
        case deviceMethodRequests(AMQPDeviceIdentity)
        /// A device's methods sender: its answers come in here.
        case deviceMethodResponses(AMQPDeviceIdentity)
        /// A device's twin sender: GET, reported PATCH and desired subscriptions come in here.
        case deviceTwinRequests(AMQPDeviceIdentity)
        /// A device's twin receiver: replies and desired-property patches go out here.
        case deviceTwinReplies(AMQPDeviceIdentity)

        /// The device a device link belongs to; nil for the service's and the Event Hubs links.
        var device: AMQPDeviceIdentity? {
            switch self {
            case .deviceTelemetry(let identity), .deviceMethodRequests(let identity), .deviceMethodResponses(let identity),
                 .deviceTwinRequests(let identity), .deviceTwinReplies(let identity):
                identity
            case .deviceCloudToDevice(let state):
                state.identity
            default:
                nil
            }
        }
    }

    /// A device's C2D receiver: what is locked for it and not yet settled.
    struct DeviceCloudToDevice: Sendable {
        var identity: AMQPDeviceIdentity
        var generation: UInt64 = 0
        var locking = false
        /// When the queue was last found empty (looked at again after a while: locks of other receivers lapse).
        var emptySince: Date?
        /// Lock tokens of deliveries the device has not settled, by delivery id.
        var held: [UInt32: String] = [:]
    }

    /// A partition receiver's position and reads.
    struct Partition: Sendable {
        var feed: EventHubsPartitionFeed
        var position: EventPosition
        /// The next sequence number to send; nil until the starting position is resolved.
        var next: Int64?
        /// Bumped when results of earlier work must be ignored.
        var generation: UInt64 = 0
        var reading = false
        /// The receiver asked for `com.microsoft:enable-receiver-runtime-metric`.
        var runtimeMetric: Bool
        /// Its claim in the shard's partition ownership.
        var ownership: UInt64?
        /// Events read but not yet sent (at most one credit's worth).
        var ready: [StoredEvent] = []
        var metrics: EventHubsPartitionProperties?
    }

    /// A feedback or file-notification receiver's queue and locks.
    struct ServiceBound: Sendable {
        var queue: ServiceBoundQueue
        var generation: UInt64 = 0
        var locking = false
        /// Lock tokens of deliveries the receiver has not settled, by delivery id.
        var held: [UInt32: UUID] = [:]
    }

    var kind: Kind
    /// What its token must allow; nil for `$cbs`.
    var requirement: AMQPConnectionClaims.Requirement?
    /// Links the server receives on: the credit it keeps open, and deliveries received whose work is not done.
    var creditLimit: UInt32 = 0
    var inFlight: UInt32 = 0
    /// Deliveries done since credit was last granted (credit goes back in steps, not one flow frame per message).
    var doneSinceGrant: UInt32 = 0
    /// Replies waiting for credit (`$cbs` and `$management` reply links).
    var pending: [AMQPMessage] = []
}
