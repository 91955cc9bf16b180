/// What one revocation request changed.
public struct RevocationOutcome: Sendable, Equatable {
    /// Certificates this request revoked.
    public var revoked: [CertificateInventoryEntry]
    /// Certificates the request covered that were already revoked (left unchanged: the first date and reason stand).
    public var alreadyRevoked: [CertificateInventoryEntry]

    /// Creates an outcome.
    public init(revoked: [CertificateInventoryEntry], alreadyRevoked: [CertificateInventoryEntry]) {
        self.revoked = revoked
        self.alreadyRevoked = alreadyRevoked
    }
}
