/// The answer to `POST /certificates/revoke`.
struct CertificateRevocationResponse: Encodable, Sendable {
    /// Certificates this request revoked.
    var revoked: [IssuedCertificateResponse]
    /// Certificates it covered that were revoked before.
    var alreadyRevoked: [IssuedCertificateResponse]
}
