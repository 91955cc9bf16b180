import Foundation

/// One stored audit entry: the event, its place in the chain and the hashes binding it there.
public struct AuditEntry: Sendable, Equatable, Codable {
    /// Position in the log, 1 for the first entry, without gaps.
    public var sequence: Int64
    /// When it was appended, milliseconds since 1970 (UTC).
    public var timestampMilliseconds: Int64
    /// Who acted.
    public var actor: String
    /// What happened (dotted name).
    public var action: String
    /// What it happened to.
    public var target: String
    /// The details as stored: a JSON object of strings with sorted keys.
    public var details: String
    /// `entryHash` of the previous entry (64 zeros before the first).
    public var previousHash: String
    /// SHA-256 (hex) over every field above, length-prefixed (`AuditChain.entryHash`).
    public var entryHash: String
    /// HMAC-SHA256 (hex) of `entryHash` under the installation's audit key (`AuditChain.entryMAC`).
    public var mac: String

    /// Creates an entry from its stored fields.
    public init(sequence: Int64, timestampMilliseconds: Int64, actor: String, action: String, target: String,
                details: String, previousHash: String, entryHash: String, mac: String) {
        self.sequence = sequence
        self.timestampMilliseconds = timestampMilliseconds
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
        self.previousHash = previousHash
        self.entryHash = entryHash
        self.mac = mac
    }

    /// The append time.
    public var timestamp: Date { Date(timeIntervalSince1970: Double(timestampMilliseconds) / 1000) }

    /// The details decoded; empty when they are not a JSON object of strings.
    public var detailValues: [String: String] {
        (try? JSONDecoder().decode([String: String].self, from: Data(details.utf8))) ?? [:]
    }
}
