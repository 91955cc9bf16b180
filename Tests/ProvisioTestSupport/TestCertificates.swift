import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates built in code: a CA, leaves it signs, and self-signed impostors.
public struct TestCertificates: Sendable {
    public let caKey = P256.Signing.PrivateKey()
    public let ca: Certificate
    public let now = Date()

    public init(caName: String = "Provisio Test CA") throws {
        let name = try DistinguishedName { CommonName(caName) }
        ca = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(caKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86_400 * 365, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true))
            },
            issuerPrivateKey: .init(caKey))
    }

    /// A leaf with subject CN `commonName` signed by the CA.
    public func leaf(commonName: String) throws -> Certificate {
        try Self.leaf(commonName: commonName, issuer: ca.subject, issuerKey: caKey, now: now)
    }

    /// A self-signed leaf with subject CN `commonName` that claims the CA as issuer name but is signed by its own key.
    public func impostor(commonName: String) throws -> Certificate {
        try Self.leaf(commonName: commonName, issuer: ca.subject, issuerKey: P256.Signing.PrivateKey(), now: now)
    }

    /// A self-signed end-entity certificate (not a CA).
    public static func selfSignedLeaf(commonName: String) throws -> Certificate {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName) }
        return try leaf(commonName: commonName, issuer: name, issuerKey: key, subjectKey: key, now: Date())
    }

    /// PEM text.
    public static func pem(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString
    }

    /// Base64 DER text.
    public static func base64DER(_ certificate: Certificate) throws -> String {
        var serializer = DER.Serializer()
        try serializer.serialize(certificate)
        return Data(serializer.serializedBytes).base64EncodedString()
    }

    private static func leaf(commonName: String, issuer: DistinguishedName, issuerKey: P256.Signing.PrivateKey,
                             subjectKey: P256.Signing.PrivateKey = P256.Signing.PrivateKey(), now: Date) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(subjectKey.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 86_400, issuer: issuer,
            subject: try DistinguishedName { CommonName(commonName) },
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions { Critical(BasicConstraints.notCertificateAuthority) },
            issuerPrivateKey: .init(issuerKey))
    }
}
