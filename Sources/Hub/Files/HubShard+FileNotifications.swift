import Foundation

extension HubShard {
    /// How long a receiver holds a locked file notification before it returns to the queue.
    public static let fileNotificationLockDuration: TimeInterval = 60

    /// Queues a notification of a completed upload for the file-notification receivers (durable when this returns).
    public func recordFileNotification(_ notification: FileNotification) async throws {
        guard let fileNotifications else { throw HubError.badRequest("file notifications are not stored on this hub") }
        try await fileNotifications.appendFileNotification(notification, shard: name)
    }

    /// Locks the oldest pending notification (one per message, as IoT Hub sends them) to one receiver for `duration`;
    /// nil when none is pending (or this hub stores none).
    public func lockFileNotification(duration: TimeInterval = fileNotificationLockDuration) async throws -> LockedBatch<FileNotification>? {
        guard duration > 0 else { throw HubError.badRequest("a lock needs a positive duration") }
        guard let fileNotifications else { return nil }
        let (lockToken, lockedAt) = (UUID(), now())
        let lockedUntil = lockedAt.addingTimeInterval(duration)
        let records = try await fileNotifications.lockFileNotifications(shard: name, limit: 1, lockToken: lockToken, now: lockedAt,
                                                                        lockedUntil: lockedUntil)
        guard !records.isEmpty else { return nil }
        return LockedBatch(lockToken: lockToken, lockedUntil: lockedUntil, lockedAt: lockedAt, records: records)
    }

    /// The receiver accepted the notification: it is deleted. A lapsed or unknown lock is `HubError.lockLost`.
    public func completeFileNotification(lockToken: UUID) async throws {
        guard let fileNotifications, try await fileNotifications.completeFileNotifications(shard: name, lockToken: lockToken, now: now()) > 0 else {
            throw HubError.lockLost("the file notification lock \(lockToken.uuidString.lowercased()) has expired or does not exist")
        }
    }

    /// The receiver released (abandoned, rejected or modified) the notification: it is available again at once.
    @discardableResult
    public func releaseFileNotification(lockToken: UUID) async throws -> Bool {
        guard let fileNotifications else { return false }
        return try await fileNotifications.releaseFileNotifications(shard: name, lockToken: lockToken) > 0
    }
}
