import Foundation
import SwiftASN1
import X509

extension CertificateAuthority {
    /// How far `notBefore` is back-dated so peers with slow clocks accept a fresh certificate.
    static let clockSkewAllowance: TimeInterval = 5 * 60

    /// Signs a v3 certificate for `publicKey` under `profile`, valid from `now` − 5 min until `now` + the profile's
    /// validity or this CA's own `notAfter`, whichever is earlier.
    func signCertificate(
        publicKey: Certificate.PublicKey,
        subject: DistinguishedName,
        profile: CertificateProfile,
        subjectAlternativeNames: [GeneralName] = [],
        additionalExtensions: [Certificate.Extension] = [],
        now: Date
    ) async throws -> Certificate {
        guard certificate.notValidAfter > now else {
            throw PKIError(code: .signingFailed, message: "the \(name) CA certificate has expired")
        }
        return try await Self.sign(
            publicKey: publicKey,
            subject: subject,
            issuer: certificate.subject,
            authorityKeyIdentifier: try certificate.subjectKeyIdentifierBytes(),
            issuerKey: privateKey,
            profile: profile,
            subjectAlternativeNames: subjectAlternativeNames,
            additionalExtensions: additionalExtensions,
            notAfterLimit: certificate.notValidAfter,
            now: now
        )
    }

    /// Creates a self-signed CA certificate for `privateKey` under `profile`.
    static func selfSignedCertificate(
        privateKey: Certificate.PrivateKey,
        subject: DistinguishedName,
        profile: CertificateProfile,
        now: Date
    ) async throws -> Certificate {
        try await sign(
            publicKey: privateKey.publicKey,
            subject: subject,
            issuer: subject,
            authorityKeyIdentifier: SubjectKeyIdentifier(hash: privateKey.publicKey).keyIdentifier,
            issuerKey: privateKey,
            profile: profile,
            subjectAlternativeNames: [],
            additionalExtensions: [],
            notAfterLimit: nil,
            now: now
        )
    }

    private static func sign(
        publicKey: Certificate.PublicKey,
        subject: DistinguishedName,
        issuer: DistinguishedName,
        authorityKeyIdentifier: ArraySlice<UInt8>,
        issuerKey: Certificate.PrivateKey,
        profile: CertificateProfile,
        subjectAlternativeNames: [GeneralName],
        additionalExtensions: [Certificate.Extension],
        notAfterLimit: Date?,
        now: Date
    ) async throws -> Certificate {
        guard let signatureAlgorithm = issuerKey.publicKey.issuerSignatureAlgorithm else {
            throw PKIError(code: .signingFailed, message: "the issuer key type cannot sign certificates here")
        }
        // The validity window starts at notBefore (skew allowance included), so the total never exceeds the profile.
        var notAfter = now.addingTimeInterval(-CertificateAuthority.clockSkewAllowance + profile.validityDuration)
        if let notAfterLimit, notAfterLimit < notAfter {
            notAfter = notAfterLimit
        }
        let extensions = try PKIError.wrapping(.signingFailed, "could not build extensions for profile \(profile.name)") {
            var extensions = try profile.extensions(
                subjectKey: publicKey,
                authorityKeyIdentifier: authorityKeyIdentifier,
                subjectAlternativeNames: subjectAlternativeNames
            )
            for additional in additionalExtensions { try extensions.append(additional) }
            return extensions
        }
        return try await PKIError.wrapping(.signingFailed, "signing a \(profile.name) certificate failed") {
            try await Certificate(
                version: .v3,
                serialNumber: .randomPositive(),
                publicKey: publicKey,
                notValidBefore: now.addingTimeInterval(-clockSkewAllowance),
                notValidAfter: notAfter,
                issuer: issuer,
                subject: subject,
                signatureAlgorithm: signatureAlgorithm,
                extensions: extensions,
                issuerAsyncPrivateKey: issuerKey
            )
        }
    }
}

extension Certificate.SerialNumber {
    /// A random serial of exactly 20 octets that is positive as a DER INTEGER (RFC 5280 §4.1.2.2).
    ///
    /// The top bit is cleared so no 0x00 padding byte is needed, and the next bit is set so the value never
    /// shrinks below 20 octets; 158 random bits remain, well above the CA/B Forum's 64.
    static func randomPositive() -> Certificate.SerialNumber {
        var generator = SystemRandomNumberGenerator()
        var bytes = (0..<20).map { _ in UInt8.random(in: 0...255, using: &generator) }
        bytes[0] = (bytes[0] & 0x7F) | 0x40
        return Certificate.SerialNumber(bytes: bytes)
    }
}
