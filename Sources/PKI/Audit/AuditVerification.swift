/// The outcome of walking the audit chain.
public struct AuditVerification: Sendable, Equatable {
    /// How many entries were read.
    public var entryCount: Int
    /// The newest entry read, nil for an empty log.
    public var head: AuditHead?
    /// The first problem found, nil when the log is intact.
    public var failure: AuditVerificationFailure?

    /// Creates a result.
    public init(entryCount: Int, head: AuditHead?, failure: AuditVerificationFailure?) {
        self.entryCount = entryCount
        self.head = head
        self.failure = failure
    }

    /// Whether the log is intact.
    public var isIntact: Bool { failure == nil }
}

/// The first place the chain is broken: the sequence number of the first entry that is altered or missing.
public struct AuditVerificationFailure: Sendable, Equatable, CustomStringConvertible {
    /// What kind of tampering the evidence points to.
    public enum Kind: String, Sendable, Equatable {
        /// The entry's fields no longer hash to its stored hash, or its MAC does not match (edited).
        case altered
        /// The entry is not there although a later one or the anchor says it was written (removed).
        case missing
        /// The entry does not follow the previous one's hash (reordered or replaced).
        case chainBroken
        /// The anchor is absent, not authentic, or names a head that is not the newest entry.
        case anchor
    }

    /// The kind of problem.
    public var kind: Kind
    /// The first bad sequence number.
    public var sequence: Int64
    /// What was found, for the operator.
    public var reason: String

    /// Creates a failure.
    public init(kind: Kind, sequence: Int64, reason: String) {
        self.kind = kind
        self.sequence = sequence
        self.reason = reason
    }

    /// `entry N: reason`.
    public var description: String { "entry \(sequence): \(reason)" }
}
