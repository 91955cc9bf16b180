import Foundation
import SwiftASN1
import X509

/// A v2 CRL (RFC 5280 §5) of one CA, signed by that CA: CRLNumber and AKI extensions, a reasonCode per entry
/// unless the reason is unspecified, UTCTime through 2049.
public struct CertificateRevocationList: Sendable {
    /// The CA's role name (`issuing`), which is also the CRL's file stem.
    public let authorityName: String
    /// The monotonically increasing CRLNumber.
    public let crlNumber: Int64
    /// When this CRL was issued.
    public let thisUpdate: Date
    /// When the next CRL will be issued at the latest.
    public let nextUpdate: Date
    /// How many certificates it lists.
    public let entryCount: Int
    /// The signed CertificateList, DER.
    public let derBytes: [UInt8]

    /// id-ce-cRLNumber.
    static let crlNumberOID: ASN1ObjectIdentifier = [2, 5, 29, 20]
    /// id-ce-cRLReasons.
    static let reasonCodeOID: ASN1ObjectIdentifier = [2, 5, 29, 21]

    /// Builds and signs the CRL of `authority` listing `revocations`.
    public static func issue(
        by authority: CertificateAuthority,
        revocations: [CertificateRevocation],
        crlNumber: Int64,
        thisUpdate: Date,
        nextUpdate: Date
    ) async throws -> CertificateRevocationList {
        let algorithm = try authority.revocationSignatureAlgorithm
        let tbs = try PKIError.wrapping(.signingFailed, "could not encode the \(authority.name) CRL") {
            try tbsCertList(authority: authority, revocations: revocations, crlNumber: crlNumber,
                            thisUpdate: thisUpdate, nextUpdate: nextUpdate, algorithm: algorithm)
        }
        let signature = try await authority.signRevocationData(tbs, algorithm: algorithm)
        let der = try PKIError.wrapping(.signingFailed, "could not encode the \(authority.name) CRL") {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                coder.serializeRawBytes(tbs)
                try SignatureAlgorithmIdentifier.serialize(algorithm, into: &coder)
                try coder.serialize(ASN1BitString(bytes: signature[...]))
            }
            return coder.serializedBytes
        }
        return CertificateRevocationList(authorityName: authority.name, crlNumber: crlNumber, thisUpdate: thisUpdate,
                                         nextUpdate: nextUpdate, entryCount: revocations.count, derBytes: der)
    }

    private static func tbsCertList(
        authority: CertificateAuthority,
        revocations: [CertificateRevocation],
        crlNumber: Int64,
        thisUpdate: Date,
        nextUpdate: Date,
        algorithm: Certificate.SignatureAlgorithm
    ) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(1)  // v2
            try SignatureAlgorithmIdentifier.serialize(algorithm, into: &coder)
            try coder.serialize(authority.certificate.subject)
            try ASN1Time.serializeX509Time(thisUpdate, into: &coder)
            try ASN1Time.serializeX509Time(nextUpdate, into: &coder)
            if !revocations.isEmpty {
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    for revocation in revocations {
                        try serializeEntry(revocation, into: &coder)
                    }
                }
            }
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.appendConstructedNode(identifier: .sequence) { coder in
                    let keyIdentifier = try authority.certificate.subjectKeyIdentifierBytes()
                    try coder.serialize(try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: keyIdentifier), critical: false))
                    var number = DER.Serializer()
                    try number.serialize(crlNumber)
                    try coder.serialize(Certificate.Extension(oid: crlNumberOID, critical: false, value: number.serializedBytes[...]))
                }
            }
        }
        return coder.serializedBytes
    }

    private static func serializeEntry(_ revocation: CertificateRevocation, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            let serial = SerialNumberText.integerContentBytes(revocation.serialNumber)
            coder.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: serial) }
            try ASN1Time.serializeX509Time(revocation.revocationDate, into: &coder)
            guard revocation.reason != .unspecified else { return }
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(reasonCodeExtension(revocation.reason))
            }
        }
    }

    /// The reasonCode entry extension: `OCTET STRING { ENUMERATED reason }`.
    static func reasonCodeExtension(_ reason: RevocationReason) -> Certificate.Extension {
        Certificate.Extension(oid: reasonCodeOID, critical: false, value: [0x0A, 0x01, UInt8(reason.rawValue)][...])
    }
}
