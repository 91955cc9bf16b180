import X509

/// One CA of the hierarchy: its certificate and the key that signs with it.
///
/// `privateKey` is the signer seam: it may wrap a `CustomPrivateKey` (`Certificate.PrivateKey(customKey)`) whose
/// `signAsynchronously` runs in an HSM or KMS, so the key never enters this process. Issuance only ever calls
/// the asynchronous signing path and reads `privateKey.publicKey`.
public struct CertificateAuthority: Sendable {
    /// The CA's role name, also its key name in the `CAKeyStore` (`root`, `issuing`).
    public let name: String
    /// The CA certificate.
    public let certificate: Certificate
    /// The signing key; never logged, serialised into responses or returned by an API.
    public let privateKey: Certificate.PrivateKey

    /// Pairs a certificate with its key; throws `PKIError.keyMismatch` if the key is not the certificate's.
    public init(name: String, certificate: Certificate, privateKey: Certificate.PrivateKey) throws {
        guard privateKey.publicKey == certificate.publicKey else {
            throw PKIError(code: .keyMismatch, message: "the \(name) CA key does not match the \(name) CA certificate")
        }
        self.name = name
        self.certificate = certificate
        self.privateKey = privateKey
    }
}
