/// One security-relevant action to append to the audit log: who did what to which target, with details.
///
/// `details` is plain text per key and must never carry secrets: no private or symmetric keys, tokens, passwords,
/// CSRs' signatures or whole enrollment documents (which hold keys). Identifiers, names, statuses, serial numbers,
/// digests and counts are the kind of thing that belongs here.
public struct AuditEvent: Sendable, Equatable {
    /// Who acted; `AuditActor.current` unless given.
    public var actor: String
    /// What happened.
    public var action: AuditAction
    /// What it happened to, as `kind/id` (`certificate/4a3f…`, `enrollment/dev-1`, `routing/hub-1`).
    public var target: String
    /// Non-secret facts about the action.
    public var details: [String: String]

    /// An event by `actor` (default: the task's current actor).
    public init(action: AuditAction, target: String, details: [String: String] = [:], actor: String = AuditActor.current) {
        self.actor = actor
        self.action = action
        self.target = target
        self.details = details
    }
}
