import X509

/// A certificate chain with its freshly generated private key, as handed to a TLS listener or written to disk.
public struct IssuedCredential: Sendable {
    /// The chain, leaf first, up to and including the root.
    public let certificateChain: [Certificate]
    /// The leaf's private key.
    public let privateKey: Certificate.PrivateKey
    /// The chain as concatenated `CERTIFICATE` PEM blocks, leaf first.
    public let certificateChainPEM: String
    /// The private key as PKCS#8 `PRIVATE KEY` PEM, which NIOSSL and openssl read for EC and RSA alike.
    public let privateKeyPEM: String

    /// Creates a credential, encoding the PEM forms up front so reading them cannot fail.
    public init(certificateChain: [Certificate], privateKey: Certificate.PrivateKey) throws {
        guard let leaf = certificateChain.first, leaf.publicKey == privateKey.publicKey else {
            throw PKIError(code: .keyMismatch, message: "the credential's key does not match its leaf certificate")
        }
        self.certificateChain = certificateChain
        self.privateKey = privateKey
        self.certificateChainPEM = try PKIError.wrapping(.signingFailed, "could not encode the certificate chain") {
            try certificateChain.map { try $0.pemString() }.joined()
        }
        self.privateKeyPEM = try PrivateKeyPEM.pkcs8(privateKey)
    }

    /// The leaf certificate.
    public var leaf: Certificate {
        certificateChain[0]
    }
}
