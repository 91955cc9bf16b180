import Foundation
import GRDB
import Hub

extension ProvisioDatabase: CloudToDeviceStore {
    /// Queues a message unless the device already has the maximum pending.
    public func enqueueCloudToDevice(_ message: CloudToDeviceMessage) async throws {
        let json = try Self.encodeMessage(message)
        try await pool.write { db in
            let pending = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM c2d_message WHERE shard = ? AND device_key = ? AND +expiry_time > ?",
                                           arguments: [message.shard, message.deviceId.lowercased(), message.enqueuedTime]) ?? 0
            guard pending < CloudToDeviceMessage.maximumPendingPerDevice else { throw HubError.queueFull(message.deviceId) }
            try db.execute(sql: "INSERT INTO c2d_message (id, shard, device_key, expiry_time, delivery_count, json) VALUES (?, ?, ?, ?, ?, ?)",
                           arguments: [message.id, message.shard, message.deviceId.lowercased(), message.expiryTime, message.deliveryCount, json])
        }
    }

    // The `+` before `expiry_time` keeps SQLite on the (shard, device_key) index: on its own it prefers the expiry
    // index and counts every pending message of the shard for each send.

    /// Many messages in one transaction: one commit (one fsync) for a whole batch of sends.
    public func enqueueCloudToDevice(batch messages: [CloudToDeviceMessage]) async throws -> [HubError?] {
        let encoded = try messages.map { ($0, try Self.encodeMessage($0)) }
        return try await pool.write { db in
            try encoded.map { message, json -> HubError? in
                let pending = try Int.fetchOne(
                    db.cachedStatement(sql: "SELECT COUNT(*) FROM c2d_message WHERE shard = ? AND device_key = ? AND +expiry_time > ?"),
                    arguments: [message.shard, message.deviceId.lowercased(), message.enqueuedTime]) ?? 0
                guard pending < CloudToDeviceMessage.maximumPendingPerDevice else { return HubError.queueFull(message.deviceId) }
                try db.cachedStatement(sql: "INSERT INTO c2d_message (id, shard, device_key, expiry_time, delivery_count, json) VALUES (?, ?, ?, ?, ?, ?)")
                    .execute(arguments: [message.id, message.shard, message.deviceId.lowercased(), message.expiryTime,
                                         message.deliveryCount, json])
                return nil
            }
        }
    }

    /// Unexpired pending messages of a device, oldest first.
    public func pendingCloudToDevice(shard: String, deviceId: String, now: Date) async throws -> [CloudToDeviceMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: """
                SELECT json, delivery_count, rowid FROM c2d_message WHERE shard = ? AND device_key = ? AND +expiry_time > ? ORDER BY rowid
                """, arguments: [shard, deviceId.lowercased(), now]).map(Self.message(from:))
        }
    }

    /// Counts one more delivery.
    public func markDelivered(shard: String, messageId id: String) async throws {
        try await pool.write { db in
            try db.execute(sql: "UPDATE c2d_message SET delivery_count = delivery_count + 1 WHERE shard = ? AND id = ?", arguments: [shard, id])
        }
    }

    /// Removes a message and appends its feedback in one transaction.
    public func finishCloudToDevice(shard: String, messageId id: String, feedback: FeedbackRecord?) async throws -> CloudToDeviceMessage? {
        try await pool.write { db in
            guard let row = try Row.fetchOne(db, sql: "SELECT json, delivery_count FROM c2d_message WHERE shard = ? AND id = ?", arguments: [shard, id]) else {
                return nil
            }
            let message = try Self.message(from: row)
            try db.execute(sql: "DELETE FROM c2d_message WHERE shard = ? AND id = ?", arguments: [shard, id])
            if let feedback { try PeekLockTable.feedback.append(feedback, shard: shard, db) }
            return message
        }
    }

    /// Messages past their expiry.
    public func expiredCloudToDevice(shard: String, now: Date) async throws -> [CloudToDeviceMessage] {
        try await pool.read { db in
            try Row.fetchAll(db, sql: "SELECT json, delivery_count FROM c2d_message WHERE shard = ? AND expiry_time <= ? ORDER BY rowid",
                             arguments: [shard, now]).map(Self.message(from:))
        }
    }

    /// Removes a device's pending messages.
    public func purgeCloudToDevice(shard: String, deviceId: String) async throws -> Int {
        try await pool.write { db in
            try db.execute(sql: "DELETE FROM c2d_message WHERE shard = ? AND device_key = ?", arguments: [shard, deviceId.lowercased()])
            return db.changesCount
        }
    }

    /// Takes pending feedback records no receiver holds locked, oldest first, and deletes exactly those.
    public func takeFeedback(shard: String, limit: Int, now: Date) async throws -> [FeedbackRecord] {
        try await pool.write { db in try PeekLockTable.feedback.take(FeedbackRecord.self, shard: shard, limit: limit, now: now, db) }
    }

    static func encodeMessage(_ message: CloudToDeviceMessage) throws -> String {
        String(decoding: try JSONEncoder().encode(message), as: UTF8.self)
    }

    static func message(from row: Row) throws -> CloudToDeviceMessage {
        let text: String = row["json"]
        guard var message = try? JSONDecoder().decode(CloudToDeviceMessage.self, from: Data(text.utf8)) else {
            throw StorageError(.corruptRecord, "a cloud-to-device message is unreadable")
        }
        message.deliveryCount = row["delivery_count"]
        // Queue order: only the pending-message read selects it.
        message.sequenceNumber = row.hasColumn("rowid") ? row["rowid"] : nil
        return message
    }
}
