import Foundation

extension HubShard {
    /// How long a receiver holds locked feedback before it returns to the queue (IoT Hub: one minute).
    public static let feedbackLockDuration: TimeInterval = 60

    /// Takes pending feedback records and removes them (the REST feedback API); records locked by an AMQP receiver
    /// are left to it.
    public func takeFeedback(limit: Int = 100) async throws -> [FeedbackRecord] {
        try await cloudToDevice.takeFeedback(shard: name, limit: limit, now: now())
    }

    /// Locks up to `limit` pending feedback records (unlocked, or whose lock lapsed) to one receiver for `duration`;
    /// nil when none is pending. They stay stored, across restarts, until ``completeFeedback(lockToken:)``.
    public func lockFeedback(limit: Int = 100, duration: TimeInterval = feedbackLockDuration) async throws -> LockedBatch<FeedbackRecord>? {
        guard limit > 0, duration > 0 else { throw HubError.badRequest("a feedback lock needs a positive limit and duration") }
        let lockedAt = now()
        let batch = LockedBatch<FeedbackRecord>(lockToken: UUID(), lockedUntil: lockedAt.addingTimeInterval(duration),
                                                lockedAt: lockedAt, records: [])
        let records = try await cloudToDevice.lockFeedback(shard: name, limit: limit, lockToken: batch.lockToken, now: lockedAt,
                                                           lockedUntil: batch.lockedUntil)
        guard !records.isEmpty else { return nil }
        return LockedBatch(lockToken: batch.lockToken, lockedUntil: batch.lockedUntil, lockedAt: lockedAt, records: records)
    }

    /// The receiver accepted the batch: its records are deleted. A lock that lapsed (its records may be another
    /// receiver's now) or was never issued is `HubError.lockLost`, and nothing is deleted.
    public func completeFeedback(lockToken: UUID) async throws {
        guard try await cloudToDevice.completeFeedback(shard: name, lockToken: lockToken, now: now()) > 0 else {
            throw HubError.lockLost("the feedback lock \(lockToken.uuidString.lowercased()) has expired or does not exist")
        }
    }

    /// The receiver released (abandoned, rejected or modified) the batch: its records are available again at once.
    /// Returns whether the lock still held records.
    @discardableResult
    public func releaseFeedback(lockToken: UUID) async throws -> Bool {
        try await cloudToDevice.releaseFeedback(shard: name, lockToken: lockToken) > 0
    }
}
