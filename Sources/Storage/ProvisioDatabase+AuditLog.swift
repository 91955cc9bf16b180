import Foundation
import GRDB
import PKI

extension ProvisioDatabase: AuditLog {
    /// Appends `event` in its own write transaction.
    @discardableResult
    public func append(_ event: AuditEvent) async throws -> AuditEntry {
        let now = Date()
        return try await pool.write { db in try self.appendAudit(event, at: now, db) }
    }

    /// Entries matching `filter`, oldest first.
    public func auditEntries(matching filter: AuditFilter) async throws -> [AuditEntry] {
        var conditions: [String] = []
        var arguments: StatementArguments = []
        if let since = filter.since {
            conditions.append("timestamp_ms >= ?")
            _ = arguments.append(contentsOf: [AuditTime.milliseconds(since)])
        }
        if let prefix = filter.actionPrefix {
            conditions.append("substr(action, 1, ?) = ?")
            _ = arguments.append(contentsOf: [prefix.count, prefix])
        } else if let action = filter.action {
            conditions.append("action = ?")
            _ = arguments.append(contentsOf: [action])
        }
        if let target = filter.target {
            conditions.append("(target = ? OR substr(target, 1, ?) = ?)")
            _ = arguments.append(contentsOf: [target, target.count + 1, target + "/"])
        }
        let whereClause = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        var sql = "SELECT * FROM audit_entry" + whereClause + " ORDER BY sequence DESC"
        if let limit = filter.limit {
            sql += " LIMIT ?"
            _ = arguments.append(contentsOf: [max(0, limit)])
        }
        return try await pool.read { [arguments, sql] db in
            try Row.fetchAll(db, sql: sql, arguments: arguments).map(Self.auditEntry).reversed()
        }
    }

    /// Walks every entry in one read snapshot, then checks the anchor of that snapshot.
    public func verifyAuditLog(expecting recordedHead: AuditHead?) async throws -> AuditVerification {
        let chain = auditChain
        return try await pool.read { db in
            var verifier = AuditChainVerifier(chain: chain, recordedHead: recordedHead)
            let rows = try Row.fetchCursor(db, sql: "SELECT * FROM audit_entry ORDER BY sequence")
            while let row = try rows.next() {
                verifier.check(Self.auditEntry(row))
                if verifier.failure != nil { break }
            }
            return verifier.finish(anchor: try Self.auditAnchor(db))
        }
    }

    /// Appends `event` inside the caller's write transaction, so the action and its entry commit together.
    @discardableResult
    func appendAudit(_ event: AuditEvent, at date: Date, _ db: Database) throws -> AuditEntry {
        try appendAudit([event], at: date, db)[0]
    }

    /// Appends `events` in order inside the caller's write transaction (bulk writes: the anchor moves once).
    ///
    /// The new entries follow the anchor when it is authentic and not behind the stored entries; then the anchor
    /// moves to the last of them. Otherwise (anchor removed, forged, or entries added without the key) they follow
    /// the newest stored entry and the anchor is left as it is, so `verifyAuditLog` keeps reporting the tampering.
    @discardableResult
    func appendAudit(_ events: [AuditEvent], at date: Date, _ db: Database) throws -> [AuditEntry] {
        guard !events.isEmpty else { return [] }
        let chain = auditChain
        let anchor = try Self.auditAnchor(db)
        let newest = try Row.fetchOne(db, sql: "SELECT sequence, entry_hash FROM audit_entry ORDER BY sequence DESC LIMIT 1")
            .map { AuditHead(sequence: Self.integer($0, "sequence"), entryHash: Self.text($0, "entry_hash")) }
        var head: AuditHead?
        let movesAnchor: Bool
        if let anchor, chain.isAuthentic(anchor), anchor.sequence >= (newest?.sequence ?? 0) {
            head = AuditHead(sequence: anchor.sequence, entryHash: anchor.entryHash)
            movesAnchor = true
        } else {
            head = newest
            movesAnchor = anchor == nil && newest == nil
        }
        // A sequence number near the top of the range can only come from an edited database: refuse to write
        // rather than wrap around (`provisio audit verify` names the damage).
        guard (head?.sequence ?? 0) < Int64.max - Int64(events.count) else {
            throw StorageError(.corruptRecord, "the audit log's newest sequence number is out of range; run `provisio audit verify`")
        }
        let timestamp = AuditTime.milliseconds(date)
        let insert = try db.cachedStatement(sql: """
            INSERT INTO audit_entry (sequence, timestamp_ms, actor, action, target, details, previous_hash, entry_hash, mac)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        var entries: [AuditEntry] = []
        entries.reserveCapacity(events.count)
        for event in events {
            let entry = chain.entry(after: head, event: event, timestampMilliseconds: timestamp)
            try insert.execute(arguments: [entry.sequence, entry.timestampMilliseconds, entry.actor, entry.action, entry.target,
                                           entry.details, entry.previousHash, entry.entryHash, entry.mac])
            head = AuditHead(sequence: entry.sequence, entryHash: entry.entryHash)
            entries.append(entry)
        }
        if movesAnchor, let last = entries.last {
            let next = chain.anchor(for: last)
            try db.execute(
                sql: """
                INSERT INTO audit_anchor (id, sequence, entry_hash, mac) VALUES (1, ?, ?, ?)
                ON CONFLICT(id) DO UPDATE SET sequence = excluded.sequence, entry_hash = excluded.entry_hash, mac = excluded.mac
                """,
                arguments: [next.sequence, next.entryHash, next.mac])
        }
        return entries
    }

    private static func auditAnchor(_ db: Database) throws -> AuditAnchor? {
        try Row.fetchOne(db, sql: "SELECT sequence, entry_hash, mac FROM audit_anchor WHERE id = 1").map { row in
            AuditAnchor(sequence: integer(row, "sequence"), entryHash: text(row, "entry_hash"), mac: text(row, "mac"))
        }
    }

    /// An entry from its row; a value of the wrong type (someone rebuilt the table) reads as empty or -1 and then
    /// fails verification instead of stopping the process.
    private static func auditEntry(_ row: Row) -> AuditEntry {
        AuditEntry(sequence: integer(row, "sequence"), timestampMilliseconds: integer(row, "timestamp_ms"),
                   actor: text(row, "actor"), action: text(row, "action"), target: text(row, "target"),
                   details: text(row, "details"), previousHash: text(row, "previous_hash"),
                   entryHash: text(row, "entry_hash"), mac: text(row, "mac"))
    }

    private static func text(_ row: Row, _ column: String) -> String {
        let value: DatabaseValue = row[column]
        return String.fromDatabaseValue(value) ?? ""
    }

    private static func integer(_ row: Row, _ column: String) -> Int64 {
        let value: DatabaseValue = row[column]
        return Int64.fromDatabaseValue(value) ?? -1
    }
}
