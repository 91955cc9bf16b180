import Foundation
import GRDB
import Hub

/// Peek-locks on feedback records (`PeekLockTable.feedback`).
extension ProvisioDatabase {
    /// Locks the oldest available records to `lockToken`.
    public func lockFeedback(shard: String, limit: Int, lockToken: UUID, now: Date, lockedUntil: Date) async throws -> [FeedbackRecord] {
        try await pool.write { db in
            try PeekLockTable.feedback.lock(FeedbackRecord.self, shard: shard, limit: limit, token: lockToken, now: now, until: lockedUntil, db)
        }
    }

    /// Deletes the records of a lock that still holds.
    public func completeFeedback(shard: String, lockToken: UUID, now: Date) async throws -> Int {
        try await pool.write { db in try PeekLockTable.feedback.complete(shard: shard, token: lockToken, now: now, db) }
    }

    /// Unlocks the records of a lock.
    public func releaseFeedback(shard: String, lockToken: UUID) async throws -> Int {
        try await pool.write { db in try PeekLockTable.feedback.release(shard: shard, token: lockToken, db) }
    }
}
