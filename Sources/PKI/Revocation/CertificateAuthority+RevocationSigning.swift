import X509

extension CertificateAuthority {
    /// The algorithm this CA signs CRLs and OCSP responses with, matching what it signs certificates with.
    var revocationSignatureAlgorithm: Certificate.SignatureAlgorithm {
        get throws {
            guard let algorithm = certificate.publicKey.issuerSignatureAlgorithm else {
                throw PKIError(code: .signingFailed, message: "the \(name) CA key type cannot sign revocation data")
            }
            return algorithm
        }
    }

    /// Signs `bytes` (a tbsCertList or tbsResponseData) and returns the signature value for the BIT STRING.
    func signRevocationData(_ bytes: [UInt8], algorithm: Certificate.SignatureAlgorithm) async throws -> [UInt8] {
        try await PKIError.wrapping(.signingFailed, "the \(name) CA could not sign revocation data") {
            try await privateKey.signAsynchronously(bytes: bytes, signatureAlgorithm: algorithm).rawRepresentation
        }
    }
}
