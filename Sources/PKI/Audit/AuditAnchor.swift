/// The head of the log as last written, kept beside the entries and authenticated with the audit key, so that
/// removing the newest entries (which leaves a chain that is valid but shorter) is detected.
public struct AuditAnchor: Sendable, Equatable {
    /// Sequence number of the newest entry.
    public var sequence: Int64
    /// Its `entryHash`.
    public var entryHash: String
    /// HMAC-SHA256 (hex) over both under the audit key (`AuditChain.anchorMAC`).
    public var mac: String

    /// Creates an anchor from its stored fields.
    public init(sequence: Int64, entryHash: String, mac: String) {
        self.sequence = sequence
        self.entryHash = entryHash
        self.mac = mac
    }
}
