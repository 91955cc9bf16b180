/// A point in the chain: an entry's sequence number and hash, as `audit verify` prints it (`42:9f86…`).
public struct AuditHead: Sendable, Equatable, CustomStringConvertible {
    /// The entry's sequence number.
    public var sequence: Int64
    /// Its `entryHash` (lowercase hex).
    public var entryHash: String

    /// Creates a head.
    public init(sequence: Int64, entryHash: String) {
        self.sequence = sequence
        self.entryHash = entryHash.lowercased()
    }

    /// Parses `SEQUENCE:HASH`; nil when malformed.
    public init?(parsing text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard parts.count == 2, let sequence = Int64(parts[0]), sequence > 0, parts[1].count == 64,
              parts[1].allSatisfy(\.isHexDigit)
        else { return nil }
        self.init(sequence: sequence, entryHash: String(parts[1]))
    }

    /// `SEQUENCE:HASH`.
    public var description: String { "\(sequence):\(entryHash)" }
}
