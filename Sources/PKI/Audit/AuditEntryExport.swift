import Foundation

/// An audit entry as `provisio audit show --json` and `GET /audit` print it: readable fields plus the exact stored
/// ones (`timestampMilliseconds`, `detailsJSON`) that `AuditChain.entryHash` covers, so an export can be re-hashed
/// and its chain checked without access to the database. The MAC is left out: only the key holder can check it.
public struct AuditEntryExport: Codable, Sendable, Equatable {
    /// Position in the log.
    public var sequence: Int64
    /// Append time, ISO 8601 UTC with milliseconds.
    public var timestamp: String
    /// Append time as stored (hashed), milliseconds since 1970.
    public var timestampMilliseconds: Int64
    /// Who acted.
    public var actor: String
    /// What happened.
    public var action: String
    /// What it happened to.
    public var target: String
    /// The details, decoded.
    public var details: [String: String]
    /// The details exactly as stored (hashed).
    public var detailsJSON: String
    /// The previous entry's hash.
    public var previousHash: String
    /// This entry's hash.
    public var entryHash: String

    /// The export form of `entry`.
    public init(_ entry: AuditEntry) {
        sequence = entry.sequence
        timestamp = AuditTime.text(entry.timestamp)
        timestampMilliseconds = entry.timestampMilliseconds
        actor = entry.actor
        action = entry.action
        target = entry.target
        details = entry.detailValues
        detailsJSON = entry.details
        previousHash = entry.previousHash
        entryHash = entry.entryHash
    }

    /// Entries as a pretty JSON array with sorted keys.
    public static func json(_ entries: [AuditEntry]) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return try encoder.encode(entries.map(AuditEntryExport.init))
    }
}
