import X509

/// Who signs an OCSP response: a CA itself, or a delegated responder certificate that CA issued
/// (RFC 6960 §4.2.2.2: EKU id-kp-OCSPSigning, issued directly by the CA the answers are about).
public struct OCSPResponseSigner: Sendable {
    /// The certificate whose key signs; the response's ResponderID is its key hash.
    public let certificate: Certificate
    /// The certificates that travel in the response's `certs` field, signer first.
    public let includedCertificates: [Certificate]
    /// The signing key; never logged or returned.
    let privateKey: Certificate.PrivateKey

    /// The CA signs its own answers; its certificate travels in `certs`.
    public init(authority: CertificateAuthority) {
        self.certificate = authority.certificate
        self.includedCertificates = [authority.certificate]
        self.privateKey = authority.privateKey
    }

    /// A delegated responder certificate and its key, issued by `authority`; the response carries both
    /// certificates so a client holding only the root can build the responder's chain.
    public init(delegate certificate: Certificate, privateKey: Certificate.PrivateKey, issuedBy authority: CertificateAuthority) throws {
        guard privateKey.publicKey == certificate.publicKey else {
            throw PKIError(code: .keyMismatch, message: "the OCSP signer key does not match its certificate")
        }
        self.certificate = certificate
        self.includedCertificates = [certificate, authority.certificate]
        self.privateKey = privateKey
    }

    /// Whether this is a delegated responder rather than the CA itself.
    public var isDelegated: Bool { includedCertificates.count > 1 }

    /// The algorithm the signer's key signs responses with.
    var signatureAlgorithm: Certificate.SignatureAlgorithm {
        get throws {
            guard let algorithm = certificate.publicKey.issuerSignatureAlgorithm else {
                throw PKIError(code: .signingFailed, message: "the OCSP signer's key type cannot sign responses")
            }
            return algorithm
        }
    }

    /// Signs a tbsResponseData and returns the signature value for the BIT STRING.
    func sign(_ bytes: [UInt8], algorithm: Certificate.SignatureAlgorithm) async throws -> [UInt8] {
        try await PKIError.wrapping(.signingFailed, "the OCSP signer could not sign a response") {
            try await privateKey.signAsynchronously(bytes: bytes, signatureAlgorithm: algorithm).rawRepresentation
        }
    }
}
