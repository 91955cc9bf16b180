import GRDB
import Provisioning

/// A table of JSON records keyed by a lowercased id, with an `etag` column for If-Match checks.
///
/// The table and noun are code constants, never user input, so they are spliced into SQL directly.
struct KeyedRecordTable: Sendable {
    /// SQL table name.
    let name: String
    /// What a row is, for messages ("individual enrollment").
    let noun: String

    /// The lookup key of an id: DPS ids match case-insensitively.
    static func key(_ id: String) -> String { id.lowercased() }

    /// `noun 'id'`, for messages.
    func describe(_ id: String) -> String { "\(noun) '\(id)'" }

    /// The record stored under `id`, if any.
    func record<Value: Decodable>(_ type: Value.Type, _ db: Database, id: String) throws -> Value? {
        try records(type, db, sql: "SELECT id_key, json FROM \(name) WHERE id_key = ?", arguments: [Self.key(id)]).first
    }

    /// Up to `limit` records ordered by key, strictly after the (lowercased) cursor.
    func page<Value: Decodable>(_ type: Value.Type, _ db: Database, after cursor: String?, limit: Int) throws -> [Value] {
        guard limit > 0 else { return [] }
        guard let cursor else {
            return try records(type, db, sql: "SELECT id_key, json FROM \(name) ORDER BY id_key LIMIT ?", arguments: [limit])
        }
        return try records(type, db, sql: "SELECT id_key, json FROM \(name) WHERE id_key > ? ORDER BY id_key LIMIT ?",
                           arguments: [Self.key(cursor), limit])
    }

    /// Decodes every row `sql` selects (`id_key, json`), naming a corrupt one by its key. The statement is prepared
    /// once per connection and reused (`sql` is always one of a few fixed texts).
    func records<Value: Decodable>(_ type: Value.Type, _ db: Database, sql: String, arguments: StatementArguments = []) throws -> [Value] {
        let coder = StoredJSON()
        return try Row.fetchAll(db.cachedStatement(sql: sql), arguments: arguments).map { row in
            let key: String? = row["id_key"]
            let record = describe(key ?? "?")
            guard let json: String = row["json"] else {
                throw StorageError(.corruptRecord, "the stored \(record) has no content")
            }
            return try coder.decode(type, from: json, record: record)
        }
    }

    /// Number of rows.
    func count(_ db: Database) throws -> Int {
        try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM \(name)") ?? 0
    }

    /// Enforces `precondition` against the stored row of `id`; call inside the write transaction.
    func check(_ precondition: ETagPrecondition, _ db: Database, id: String) throws {
        guard precondition.expected != nil else { return }
        let row = try Row.fetchOne(db, sql: "SELECT etag FROM \(name) WHERE id_key = ?", arguments: [Self.key(id)])
        try precondition.check(exists: row != nil, current: row?["etag"], record: describe(id))
    }

    /// Deletes the row of `id` after enforcing `precondition`; `notFound` when there is none.
    func delete(_ db: Database, id: String, precondition: ETagPrecondition) throws {
        try check(precondition, db, id: id)
        try db.execute(sql: "DELETE FROM \(name) WHERE id_key = ?", arguments: [Self.key(id)])
        if db.changesCount == 0 {
            throw ProvisioningError.notFound("\(describe(id)) does not exist")
        }
    }
}
