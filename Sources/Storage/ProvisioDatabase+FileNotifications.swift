import Foundation
import GRDB
import Hub

/// File-upload notifications (`PeekLockTable.fileNotifications`).
extension ProvisioDatabase: FileNotificationStore {
    /// Appends a notification.
    public func appendFileNotification(_ notification: FileNotification, shard: String) async throws {
        try await pool.write { db in try PeekLockTable.fileNotifications.append(notification, shard: shard, db) }
    }

    /// Locks the oldest available notifications to `lockToken`.
    public func lockFileNotifications(shard: String, limit: Int, lockToken: UUID, now: Date, lockedUntil: Date) async throws -> [FileNotification] {
        try await pool.write { db in
            try PeekLockTable.fileNotifications.lock(FileNotification.self, shard: shard, limit: limit, token: lockToken, now: now,
                                                     until: lockedUntil, db)
        }
    }

    /// Deletes the notifications of a lock that still holds.
    public func completeFileNotifications(shard: String, lockToken: UUID, now: Date) async throws -> Int {
        try await pool.write { db in try PeekLockTable.fileNotifications.complete(shard: shard, token: lockToken, now: now, db) }
    }

    /// Unlocks the notifications of a lock.
    public func releaseFileNotifications(shard: String, lockToken: UUID) async throws -> Int {
        try await pool.write { db in try PeekLockTable.fileNotifications.release(shard: shard, token: lockToken, db) }
    }
}
