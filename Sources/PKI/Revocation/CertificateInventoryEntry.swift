/// An inventory record together with its revocation, when it has one: what listings and revocation checks read.
public struct CertificateInventoryEntry: Sendable, Equatable {
    /// The issued certificate as recorded.
    public var record: IssuedCertificateRecord
    /// The revocation, present exactly when `record.status` is `revoked`.
    public var revocation: CertificateRevocation?

    /// Pairs a record with its revocation.
    public init(record: IssuedCertificateRecord, revocation: CertificateRevocation?) {
        self.record = record
        self.revocation = revocation
    }
}
