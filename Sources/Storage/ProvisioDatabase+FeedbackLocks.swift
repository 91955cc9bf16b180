import Foundation
import GRDB
import Hub

/// Peek-locks on feedback records: a lock marks rows (token + expiry) instead of moving them, so locked records survive
/// a crash like any other and a lapsed lock needs no sweeper.
extension ProvisioDatabase {
    /// Locks the oldest available records to `lockToken`.
    public func lockFeedback(shard: String, limit: Int, lockToken: UUID, now: Date, lockedUntil: Date) async throws -> [FeedbackRecord] {
        let token = lockToken.uuidString.lowercased()
        return try await pool.write { db in
            try db.execute(sql: """
                UPDATE c2d_feedback SET lock_token = ?, locked_until = ?
                WHERE id IN (SELECT id FROM c2d_feedback WHERE shard = ? AND (locked_until IS NULL OR locked_until <= ?) ORDER BY id LIMIT ?)
                """, arguments: [token, lockedUntil.timeIntervalSince1970, shard, now.timeIntervalSince1970, limit])
            return try Row.fetchAll(db, sql: "SELECT json FROM c2d_feedback WHERE shard = ? AND lock_token = ? ORDER BY id",
                                    arguments: [shard, token]).map(Self.feedbackRecord(from:))
        }
    }

    /// Deletes the records of a lock that still holds.
    public func completeFeedback(shard: String, lockToken: UUID, now: Date) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM c2d_feedback WHERE shard = ? AND lock_token = ? AND locked_until > ?",
                           arguments: [shard, lockToken.uuidString.lowercased(), now.timeIntervalSince1970])
            return db.changesCount
        }
    }

    /// Unlocks the records of a lock.
    public func releaseFeedback(shard: String, lockToken: UUID) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "UPDATE c2d_feedback SET lock_token = NULL, locked_until = NULL WHERE shard = ? AND lock_token = ?",
                           arguments: [shard, lockToken.uuidString.lowercased()])
            return db.changesCount
        }
    }
}
