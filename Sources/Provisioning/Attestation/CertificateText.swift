import Crypto
import Foundation
import SwiftASN1
import X509

/// Certificates as enrollment JSON carries them: PEM text or Base64 DER.
public enum CertificateText {
    /// Parses PEM or Base64 DER; nil when it is neither.
    public static func parse(_ text: String) -> Certificate? {
        if text.contains("-----BEGIN") { return try? Certificate(pemEncoded: text) }
        let compact = text.filter { !$0.isWhitespace }
        guard let der = Data(base64Encoded: compact) else { return nil }
        return try? Certificate(derEncoded: Array(der))
    }
}

/// Certificate thumbprints as Azure shows them: upper-case hex without separators.
public enum CertificateFingerprint {
    /// SHA-1 of the DER encoding.
    public static func sha1(_ certificate: Certificate) -> String {
        hex(Insecure.SHA1.hash(data: der(certificate)))
    }

    /// SHA-256 of the DER encoding.
    public static func sha256(_ certificate: Certificate) -> String {
        hex(SHA256.hash(data: der(certificate)))
    }

    static func der(_ certificate: Certificate) -> [UInt8] {
        var serializer = DER.Serializer()
        try? serializer.serialize(certificate)
        return serializer.serializedBytes
    }

    static func hex(_ bytes: some Sequence<UInt8>) -> String {
        bytes.map { String(format: "%02X", $0) }.joined()
    }
}

extension X509CertificateInfo {
    /// The details DPS shows for a certificate.
    public init(_ certificate: Certificate) {
        let formatter = ISO8601DateFormatter()
        self.init(
            subjectName: certificate.subject.description,
            sha1Thumbprint: CertificateFingerprint.sha1(certificate),
            sha256Thumbprint: CertificateFingerprint.sha256(certificate),
            issuerName: certificate.issuer.description,
            notBeforeUtc: formatter.string(from: certificate.notValidBefore),
            notAfterUtc: formatter.string(from: certificate.notValidAfter),
            serialNumber: CertificateFingerprint.hex(certificate.serialNumber.bytes),
            version: certificate.version == .v3 ? 3 : 1)
    }
}

extension DistinguishedName {
    /// The first CN, if any.
    public var commonNameText: String? { commonName }

    var commonName: String? {
        for rdn in self {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                if let text = String(attribute.value) { return text }
            }
        }
        return nil
    }
}
