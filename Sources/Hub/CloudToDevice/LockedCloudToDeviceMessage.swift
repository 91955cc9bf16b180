import Foundation

/// A C2D message handed to a polling receiver under a peek-lock.
public struct LockedCloudToDeviceMessage: Sendable, Equatable {
    /// The message, with the delivery count before this delivery (IoT Hub reports 0 on the first).
    public var message: CloudToDeviceMessage
    /// The lock token (the HTTPS `ETag`).
    public var lockToken: String
    /// When the lock lapses and the message returns to the queue.
    public var lockedUntil: Date
}
