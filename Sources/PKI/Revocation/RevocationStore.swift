import Foundation

/// Durable revocation state beside the certificate inventory; the SQLite database implements it.
public protocol RevocationStore: Sendable {
    /// Marks every certificate `target` covers as revoked in one transaction, durable when this returns.
    ///
    /// Certificates already revoked keep their first date and reason. Throws `PKIError.certificateNotFound` when
    /// the target covers no certificate at all.
    func revoke(_ target: RevocationTarget, reason: RevocationReason, at date: Date) async throws -> RevocationOutcome
    /// The inventory entry for a serial number (inventory form), or nil.
    func certificateEntry(serialNumber: String) async throws -> CertificateInventoryEntry?
    /// Every revoked certificate whose issuer DN (inventory string form) is `issuer`, by serial number.
    func revokedCertificates(issuer: String) async throws -> [CertificateRevocation]
    /// A number that grows with every revocation (by any process): the change marker CRL caches and monitors watch.
    func revocationSequence() async throws -> Int64
    /// Entries revoked after `sequence`, oldest first, with the sequence each got.
    func revocations(after sequence: Int64) async throws -> [(sequence: Int64, entry: CertificateInventoryEntry)]
    /// Reserves the next CRL number for `issuer` (1, 2, …), durably, so numbers never repeat across restarts.
    func nextCRLNumber(issuer: String) async throws -> Int64
    /// Inventory entries matching `filter`, oldest first.
    func issuedCertificates(matching filter: IssuedCertificateFilter, now: Date) async throws -> [CertificateInventoryEntry]
}
