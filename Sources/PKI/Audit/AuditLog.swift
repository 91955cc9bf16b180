/// The tamper-evident log of security-relevant actions: append-only, hash-chained, its head authenticated.
///
/// Stores that write an action may append its entry in the same transaction (the SQLite store does for
/// enrollments, groups, uploaded CAs, certificates, revocations and routing); everything else calls `append`.
/// CA rotation reports `.caRotated` / `.caRetired` here.
public protocol AuditLog: Sendable {
    /// Appends `event` durably after the current head and returns the stored entry.
    @discardableResult
    func append(_ event: AuditEvent) async throws -> AuditEntry

    /// Entries matching `filter`, oldest first.
    func auditEntries(matching filter: AuditFilter) async throws -> [AuditEntry]

    /// Walks the whole chain and checks it against the anchor and, when given, a head recorded earlier elsewhere.
    func verifyAuditLog(expecting recordedHead: AuditHead?) async throws -> AuditVerification
}
