import SwiftASN1
import X509

/// A degenerate CMS SignedData that only carries certificates (RFC 5652 §5, the "certs-only" PKCS#7 of
/// RFC 7030 §4.1.3 and §4.2.3): no content, no digest algorithms, no signers.
///
/// swift-certificates keeps its CMS types behind an SPI and has no certs-only builder, so this is encoded with
/// swift-asn1. The certificates form a DER `SET OF`, so they are ordered by their encodings, not as given;
/// relying parties build the chain themselves.
public struct CertsOnlySignedData: Sendable, Equatable {
    /// id-signedData (1.2.840.113549.1.7.2): the ContentInfo content type.
    public static let signedDataOID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 2]
    /// id-data (1.2.840.113549.1.7.1): the (absent) encapsulated content's type.
    public static let dataOID: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 7, 1]

    /// The certificates carried.
    public let certificates: [Certificate]

    /// Wraps `certificates`; an empty list is allowed (and encodes an empty set).
    public init(certificates: [Certificate]) {
        self.certificates = certificates
    }

    /// The DER ContentInfo.
    public func derBytes() throws -> [UInt8] {
        let encoded = try PKIError.wrapping(.signingFailed, "could not encode a certificate for PKCS#7") {
            try certificates.map { try $0.derBytes() }
        }
        // DER orders SET OF elements by their encodings (X.690 §11.6); shorter prefixes sort first.
        let sorted = encoded.sorted { $0.lexicographicallyPrecedes($1) }
        return try PKIError.wrapping(.signingFailed, "could not encode a PKCS#7 certs-only message") {
            var coder = DER.Serializer()
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(Self.signedDataOID)
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(1)  // CMSVersion 1: no attribute certificates, id-data content.
                        try coder.appendConstructedNode(identifier: .set) { _ in }  // digestAlgorithms
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(Self.dataOID)  // encapContentInfo without eContent
                        }
                        try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                            for certificate in sorted { coder.serializeRawBytes(certificate) }
                        }
                        try coder.appendConstructedNode(identifier: .set) { _ in }  // signerInfos
                    }
                }
            }
            return coder.serializedBytes
        }
    }

    /// Parses a certs-only ContentInfo (also one with signers, whose signatures are ignored): the certificates.
    public init(derEncoded bytes: [UInt8]) throws {
        do {
            let root = try DER.parse(bytes)
            self.certificates = try DER.sequence(root, identifier: .sequence) { nodes in
                let type = try ASN1ObjectIdentifier(derEncoded: &nodes)
                guard type == Self.signedDataOID, let wrapper = nodes.next() else {
                    throw PKIError(code: .invalidPKCS7, message: "not a CMS SignedData")
                }
                return try DER.explicitlyTagged(wrapper, tagNumber: 0, tagClass: .contextSpecific) { signedData in
                    try DER.sequence(signedData, identifier: .sequence) { fields in
                        _ = try Int(derEncoded: &fields)
                        _ = fields.next()  // digestAlgorithms
                        _ = fields.next()  // encapContentInfo
                        var certificates: [Certificate] = []
                        if let next = fields.next(),
                           next.identifier == ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific),
                           case .constructed(let children) = next.content {
                            certificates = try children.map { try Certificate(derEncoded: $0.encodedBytes) }
                        }
                        while fields.next() != nil {}  // CRLs and signerInfos are not needed.
                        return certificates
                    }
                }
            }
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(code: .invalidPKCS7, message: "not a valid PKCS#7 certs-only message")
        }
    }
}
