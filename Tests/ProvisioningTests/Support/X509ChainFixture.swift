import Crypto
import Foundation
import Provisioning
import SwiftASN1
import X509

/// A root CA, an intermediate CA it signs, and device leaves built in code, all at a fixed instant.
struct X509ChainFixture {
    static let now = Date(timeIntervalSince1970: 1_704_067_200)

    let rootKey = P256.Signing.PrivateKey()
    let intermediateKey = P256.Signing.PrivateKey()
    let root: Certificate
    let intermediate: Certificate

    init(rootName: String = "Provisio Test Root") throws {
        let rootSubject = try DistinguishedName { CommonName(rootName) }
        root = try Self.certificateAuthority(subject: rootSubject, key: rootKey, issuer: rootSubject, issuerKey: rootKey)
        intermediate = try Self.certificateAuthority(subject: try DistinguishedName { CommonName("\(rootName) Intermediate") },
                                                     key: intermediateKey, issuer: rootSubject, issuerKey: rootKey)
    }

    /// A device certificate for `commonName` issued by the intermediate, valid around `now` unless `validity` says
    /// otherwise, with the extended key usages given (nil: no EKU extension).
    func leaf(_ commonName: String, validity: ClosedRange<Date>? = nil,
              usages: [ExtendedKeyUsage.Usage]? = [.clientAuth], byRoot: Bool = false) throws -> Certificate {
        let validity = validity ?? (Self.now - 3_600)...(Self.now + 86_400)
        let issuer = byRoot ? root : intermediate
        let issuerKey = byRoot ? rootKey : intermediateKey
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(P256.Signing.PrivateKey().publicKey),
            notValidBefore: validity.lowerBound, notValidAfter: validity.upperBound, issuer: issuer.subject,
            subject: try DistinguishedName { CommonName(commonName) }, signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                if let usages { try ExtendedKeyUsage(usages) }
            },
            issuerPrivateKey: .init(issuerKey))
    }

    /// A self-signed device certificate for `commonName` (individual enrollments enroll it directly).
    func selfSigned(_ commonName: String, validity: ClosedRange<Date>? = nil,
                    usages: [ExtendedKeyUsage.Usage]? = [.clientAuth]) throws -> Certificate {
        let key = P256.Signing.PrivateKey()
        let validity = validity ?? (Self.now - 3_600)...(Self.now + 86_400)
        let name = try DistinguishedName { CommonName(commonName) }
        return try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: validity.lowerBound, notValidAfter: validity.upperBound, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.notCertificateAuthority)
                Critical(KeyUsage(digitalSignature: true))
                if let usages { try ExtendedKeyUsage(usages) }
            },
            issuerPrivateKey: .init(key))
    }

    /// PEM text.
    static func pem(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString
    }

    private static func certificateAuthority(subject: DistinguishedName, key: P256.Signing.PrivateKey, issuer: DistinguishedName,
                                             issuerKey: P256.Signing.PrivateKey) throws -> Certificate {
        try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 86_400, notValidAfter: now + 86_400 * 365, issuer: issuer, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(digitalSignature: true, keyCertSign: true))
            },
            issuerPrivateKey: .init(issuerKey))
    }
}
