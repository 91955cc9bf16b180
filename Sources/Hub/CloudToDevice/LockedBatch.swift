import Foundation

/// Records a receiver holds under one peek-lock (AMQP feedback and file-notification receivers): they stay stored
/// until completed with `lockToken`, come back at once when released, and come back by themselves after `lockedUntil`.
public struct LockedBatch<Record: Sendable & Equatable>: Sendable, Equatable {
    /// The lock: 16 random bytes, what the receiver's delivery tag carries (C# clients read it as a GUID).
    public var lockToken: UUID
    /// When the lock lapses and the records become available to the next receiver.
    public var lockedUntil: Date
    /// When the batch was locked (the `iothub-enqueuedtime` of the message carrying it).
    public var lockedAt: Date
    /// The records, oldest first.
    public var records: [Record]

    /// Creates a batch.
    public init(lockToken: UUID, lockedUntil: Date, lockedAt: Date, records: [Record]) {
        self.lockToken = lockToken
        self.lockedUntil = lockedUntil
        self.lockedAt = lockedAt
        self.records = records
    }
}
