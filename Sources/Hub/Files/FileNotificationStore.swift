import Foundation

/// The durable queue of file-upload notifications of every shard, read with peek-lock semantics like feedback.
public protocol FileNotificationStore: Sendable {
    /// Appends a notification (durable when this returns).
    func appendFileNotification(_ notification: FileNotification, shard: String) async throws
    /// Locks up to `limit` notifications that are unlocked or whose lock lapsed at `now` to `lockToken` until
    /// `lockedUntil`; returns them, oldest first.
    func lockFileNotifications(shard: String, limit: Int, lockToken: UUID, now: Date, lockedUntil: Date) async throws -> [FileNotification]
    /// Deletes the notifications locked to `lockToken` if the lock still holds at `now`; returns how many.
    func completeFileNotifications(shard: String, lockToken: UUID, now: Date) async throws -> Int
    /// Unlocks the notifications locked to `lockToken`; returns how many.
    func releaseFileNotifications(shard: String, lockToken: UUID) async throws -> Int
}
