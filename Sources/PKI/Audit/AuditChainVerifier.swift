/// Checks a log entry by entry, oldest first, without holding it in memory, then against its anchor.
public struct AuditChainVerifier: Sendable {
    private let chain: AuditChain
    private let recordedHead: AuditHead?
    private var previous: AuditHead?
    private var recordedHeadSeen = false
    /// How many entries were checked.
    public private(set) var entryCount = 0
    /// The first problem found; once set, later entries are not checked.
    public private(set) var failure: AuditVerificationFailure?

    /// A verifier under `chain`'s key; `recordedHead` is a head printed by an earlier verify and kept elsewhere.
    public init(chain: AuditChain, recordedHead: AuditHead? = nil) {
        self.chain = chain
        self.recordedHead = recordedHead
    }

    /// Checks the next entry (entries must come in ascending sequence order).
    public mutating func check(_ entry: AuditEntry) {
        guard failure == nil else { return }
        entryCount += 1
        let expected = (previous?.sequence ?? 0) &+ 1
        if entry.sequence != expected {
            let after = previous.map { "entry \($0.sequence)" } ?? "the start of the log"
            let removed = entry.sequence &- 1 == expected ? "entry \(expected) was" : "entries \(expected)…\(entry.sequence &- 1) were"
            failure = AuditVerificationFailure(
                kind: .missing, sequence: expected,
                reason: "missing: entry \(entry.sequence) follows \(after), so \(removed) removed")
            return
        }
        if AuditChain.entryHash(of: entry) != entry.entryHash || !chain.isAuthentic(entry) {
            failure = AuditVerificationFailure(
                kind: .altered, sequence: entry.sequence,
                reason: "altered: its fields do not match its stored hash and MAC")
            return
        }
        if entry.previousHash != (previous?.entryHash ?? AuditChain.genesisHash) {
            failure = AuditVerificationFailure(
                kind: .chainBroken, sequence: entry.sequence,
                reason: "chain broken: it does not follow the hash of entry \(expected &- 1)")
            return
        }
        if let recordedHead, recordedHead.sequence == entry.sequence {
            recordedHeadSeen = true
            if recordedHead.entryHash != entry.entryHash {
                failure = AuditVerificationFailure(
                    kind: .altered, sequence: entry.sequence,
                    reason: "altered: its hash differs from the head recorded earlier (\(recordedHead))")
                return
            }
        }
        previous = AuditHead(sequence: entry.sequence, entryHash: entry.entryHash)
    }

    /// The verdict once every entry was checked; `anchor` is the stored anchor (nil when there is none).
    public func finish(anchor: AuditAnchor?) -> AuditVerification {
        var result = AuditVerification(entryCount: entryCount, head: previous, failure: failure)
        guard failure == nil else { return result }
        let last = previous?.sequence ?? 0
        if let recordedHead, !recordedHeadSeen {
            result.failure = AuditVerificationFailure(
                kind: .missing, sequence: last &+ 1,
                reason: "missing: the head recorded earlier (\(recordedHead)) is past the newest entry \(last)")
            return result
        }
        guard let anchor else {
            if let previous {
                result.failure = AuditVerificationFailure(
                    kind: .anchor, sequence: previous.sequence, reason: "the anchor naming the newest entry was removed")
            }
            return result
        }
        guard chain.isAuthentic(anchor) else {
            result.failure = AuditVerificationFailure(
                kind: .anchor, sequence: min(anchor.sequence, last &+ 1),
                reason: "the anchor is not authentic (edited, or the audit key was replaced)")
            return result
        }
        if anchor.sequence > last {
            result.failure = AuditVerificationFailure(
                kind: .missing, sequence: last &+ 1,
                reason: "missing: the anchor names entry \(anchor.sequence) as the newest but the log ends at \(last)")
        } else if anchor.sequence < last {
            result.failure = AuditVerificationFailure(
                kind: .anchor, sequence: anchor.sequence &+ 1,
                reason: "entries after \(anchor.sequence) were added without the audit key")
        } else if anchor.entryHash != previous?.entryHash {
            result.failure = AuditVerificationFailure(
                kind: .altered, sequence: last, reason: "altered: its hash differs from the one the anchor holds")
        }
        return result
    }
}
