import AMQPCodec
import Foundation
import Hub
import Routing

/// What drives one AMQP connection's loop: received headers and frames, the end of the byte stream, clock ticks, and
/// the results of link work that ran concurrently (token checks, management reads, C2D commits, event reads).
enum AMQPConnectionInput: Sendable {
    case received(AMQPInbound)
    case ended((any Error)?)
    case tick
    case completed(AMQPLinkWorkResult)
    /// The hub asked something of a device on the connection (C2D queued, desired patch, method, lapse).
    case device(AMQPDeviceSession.Event)
    /// Device telemetry committed: take it from the connection's `AMQPTelemetryCompletions`.
    case telemetryCommitted
}

/// Work a link started, finished.
enum AMQPLinkWorkResult: Sendable {
    /// A `$cbs` put-token was checked.
    case claims(AMQPLinkID, deliveryId: UInt32, settled: Bool, exchange: AMQPManagementExchange, outcome: ClaimsBasedSecurityNode.Outcome)
    /// A `$management` request was answered.
    case management(AMQPLinkID, deliveryId: UInt32, settled: Bool, reply: AMQPMessage)
    /// A partition receiver's starting position was resolved (or refused).
    case positioned(AMQPLinkID, generation: UInt64, Result<Int64, AMQPError>)
    /// Events read for a partition receiver.
    case events(AMQPLinkID, generation: UInt64, [StoredEvent], metrics: EventHubsPartitionProperties?, failed: Bool)
    /// A C2D message was committed (nil) or refused.
    case cloudToDevice(AMQPLinkID, deliveryId: UInt32, settled: Bool, refusal: HubError?)
    /// Feedback records or a file notification were locked for a service receiver (nil: none pending).
    case serviceBound(AMQPLinkID, generation: UInt64, queue: ServiceBoundQueue, locked: (lockToken: UUID, message: AMQPMessage)?)
    /// A device's TLS client certificate was checked for a link it asked for.
    case deviceAdmitted(AMQPLinkRequest, AMQPDeviceIdentity, certificateSerial: String?,
                        Result<HubDeviceCredentialCheck.Admission, HubError>)
    /// A device's telemetry delivery was committed (nil) or refused.
    case telemetry(AMQPLinkID, deliveryId: UInt32, settled: Bool, refusal: HubError?)
    /// A C2D message was locked for a device's receiver (nil: none waits).
    case deviceCloudToDevice(AMQPLinkID, generation: UInt64, LockedCloudToDeviceMessage?)
    /// A device's twin request was answered (`subscribed`: the desired-patch subscription after a PUT or DELETE).
    case twin(AMQPLinkID, deliveryId: UInt32, settled: Bool, AMQPDeviceIdentity, reply: AMQPMessage, subscribed: Bool?)
    /// Nothing to report (a completed or released lock).
    case none
}

/// Link work to run concurrently with the connection loop; its result is fed back as an input.
struct AMQPLinkWork: Sendable {
    let run: @Sendable () async -> AMQPLinkWorkResult

    /// Work that must finish even when the connection ends and cancels its pending work: handing peek-locked records
    /// back or completing them. It runs in a task of its own, which does not inherit the cancellation (the store would
    /// otherwise give up before writing, and the records stay locked until the lock lapses).
    static func uncancellable(_ operation: @escaping @Sendable () async -> Void) -> AMQPLinkWork {
        AMQPLinkWork {
            await Task { await operation() }.value
            return .none
        }
    }
}
