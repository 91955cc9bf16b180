import Foundation
import GRDB

/// A queue table of JSON records (`id` autoincrement, `shard`, `json`, `lock_token`, `locked_until`) read with peek-lock
/// semantics: a lock marks rows (token + expiry in Unix seconds) instead of moving them, so locked records survive a
/// crash like any other and a lapsed lock needs no sweeper. Feedback and file notifications share it.
struct PeekLockTable: Sendable {
    /// SQL table name.
    let name: String
    /// What a row is, for messages ("feedback record").
    let noun: String

    /// Appends a record.
    func append<Value: Encodable>(_ value: Value, shard: String, _ db: Database) throws {
        let json = String(decoding: try JSONEncoder().encode(value), as: UTF8.self)
        try db.execute(sql: "INSERT INTO \(name) (shard, json) VALUES (?, ?)", arguments: [shard, json])
    }

    /// Locks the oldest records available at `now` (unlocked, or their lock lapsed) to `token` until `until`.
    func lock<Value: Decodable>(_ type: Value.Type, shard: String, limit: Int, token: UUID, now: Date, until: Date,
                                _ db: Database) throws -> [Value] {
        let text = token.uuidString.lowercased()
        try db.execute(sql: """
            UPDATE \(name) SET lock_token = ?, locked_until = ?
            WHERE id IN (SELECT id FROM \(name) WHERE shard = ? AND (locked_until IS NULL OR locked_until <= ?) ORDER BY id LIMIT ?)
            """, arguments: [text, until.timeIntervalSince1970, shard, now.timeIntervalSince1970, limit])
        return try Row.fetchAll(db, sql: "SELECT json FROM \(name) WHERE shard = ? AND lock_token = ? ORDER BY id",
                                arguments: [shard, text]).map { try decode(type, $0) }
    }

    /// Deletes the records of a lock still held at `now`; returns how many.
    func complete(shard: String, token: UUID, now: Date, _ db: Database) throws -> Int {
        try db.execute(sql: "DELETE FROM \(name) WHERE shard = ? AND lock_token = ? AND locked_until > ?",
                       arguments: [shard, token.uuidString.lowercased(), now.timeIntervalSince1970])
        return db.changesCount
    }

    /// Unlocks the records of a lock; returns how many.
    func release(shard: String, token: UUID, _ db: Database) throws -> Int {
        try db.execute(sql: "UPDATE \(name) SET lock_token = NULL, locked_until = NULL WHERE shard = ? AND lock_token = ?",
                       arguments: [shard, token.uuidString.lowercased()])
        return db.changesCount
    }

    /// Removes and returns the oldest records available at `now`, leaving locked ones alone.
    func take<Value: Decodable>(_ type: Value.Type, shard: String, limit: Int, now: Date, _ db: Database) throws -> [Value] {
        let rows = try Row.fetchAll(db, sql: """
            SELECT id, json FROM \(name) WHERE shard = ? AND (locked_until IS NULL OR locked_until <= ?) ORDER BY id LIMIT ?
            """, arguments: [shard, now.timeIntervalSince1970, limit])
        let values = try rows.map { try decode(type, $0) }
        if let last = rows.last {
            let lastId: Int64 = last["id"]
            try db.execute(sql: "DELETE FROM \(name) WHERE shard = ? AND id <= ? AND (locked_until IS NULL OR locked_until <= ?)",
                           arguments: [shard, lastId, now.timeIntervalSince1970])
        }
        return values
    }

    /// Creates the table (a migration step).
    func create(_ db: Database) throws {
        try db.create(table: name) { table in
            table.autoIncrementedPrimaryKey("id")
            table.column("shard", .text).notNull()
            table.column("json", .text).notNull()
            table.column("lock_token", .text)
            table.column("locked_until", .double)
        }
        try createLockIndex(db)
    }

    /// The index completes and releases look locks up by.
    func createLockIndex(_ db: Database) throws {
        try db.create(index: "\(name)_on_lock", on: name, columns: ["shard", "lock_token"])
    }

    private func decode<Value: Decodable>(_ type: Value.Type, _ row: Row) throws -> Value {
        let text: String = row["json"]
        guard let value = try? JSONDecoder().decode(type, from: Data(text.utf8)) else {
            throw StorageError(.corruptRecord, "a \(noun) is unreadable")
        }
        return value
    }
}

extension PeekLockTable {
    /// C2D feedback records (`HubShard.lockFeedback`).
    static let feedback = PeekLockTable(name: "c2d_feedback", noun: "feedback record")
    /// File-upload notifications (`HubShard.lockFileNotification`).
    static let fileNotifications = PeekLockTable(name: "file_notification", noun: "file notification")
}
