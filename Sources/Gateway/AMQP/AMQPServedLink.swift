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
    /// Replies waiting for credit (`$cbs` and `$management` reply links).
    var pending: [AMQPMessage] = []
}
