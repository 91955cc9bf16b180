import Foundation
import SwiftASN1
import X509

/// An X.509 v1/v2 certificate revocation list (RFC 5280 §5) as a relying party reads it from DER or PEM.
///
/// swift-certificates has no CRL type, and `CertificateRevocationList` is the CRL Provisio issues. This one keeps what a relying party needs: issuer, validity window, entries,
/// extensions, and the signed bytes so ``isSignatureValid(publicKey:)`` can check the issuer's signature.
public struct CRLDocument: Sendable, Hashable {
    /// One revoked certificate.
    public struct Entry: Sendable, Hashable {
        /// The revoked serial number's INTEGER content octets, exactly as encoded (so negative serials stay negative).
        public var serialNumber: ArraySlice<UInt8>
        /// When the certificate was revoked.
        public var revocationDate: Date
        /// The entry's extensions (reason code, invalidity date, certificate issuer, …).
        public var extensions: [Certificate.Extension]
    }

    /// 1 for a v1 CRL (no version field), 2 for v2.
    public var version: Int
    /// The CRL issuer's name.
    public var issuer: DistinguishedName
    /// When this CRL was issued.
    public var thisUpdate: Date
    /// When the next CRL will be issued at the latest; absent on non-conforming CRLs.
    public var nextUpdate: Date?
    /// The revoked certificates, in CRL order.
    public var entries: [Entry]
    /// The CRL extensions (`crlExtensions`).
    public var extensions: [Certificate.Extension]
    /// The signature algorithm, or nil when swift-certificates cannot verify it (DSA, RSA-PSS, …).
    public var signatureAlgorithm: Certificate.SignatureAlgorithm?
    /// The DER of `tbsCertList`, the bytes the signature covers.
    let signedBytes: ArraySlice<UInt8>
    /// The signature value's bytes (DER `ECDSA-Sig-Value` for ECDSA, raw for RSA and Ed25519).
    let signatureBytes: ArraySlice<UInt8>
    /// False when the signature BIT STRING has padding bits.
    var signatureIsWholeBytes = true

    /// Whether `publicKey` made this CRL's signature.
    public func isSignatureValid(publicKey: Certificate.PublicKey) -> Bool {
        guard let signatureAlgorithm, signatureIsWholeBytes else { return false }
        return publicKey.isValidSignature(signatureBytes, for: signedBytes, signatureAlgorithm: signatureAlgorithm)
    }

    /// The entry revoking `certificate`, if any.
    ///
    /// Serials compare as encoded INTEGERs, read from the signed certificate bytes: `Certificate.SerialNumber` drops
    /// leading zero octets and with them the sign, which would make serial -1 (`FF`) equal to 255 (`00 FF`).
    public func entry(for certificate: Certificate) -> Entry? {
        guard let serial = Self.encodedSerialNumber(of: certificate) else {
            let wanted = certificate.serialNumber.bytes
            return entries.first { $0.serialNumber.drop(while: { $0 == 0 }) == wanted }
        }
        return entries.first { $0.serialNumber == serial }
    }

    /// The serialNumber INTEGER's content octets from `tbsCertificate`.
    static func encodedSerialNumber(of certificate: Certificate) -> ArraySlice<UInt8>? {
        guard let tbs = try? DER.parse(certificate.tbsCertificateBytes), case .constructed(let fields) = tbs.content else { return nil }
        for field in fields where field.identifier == .integer {
            if case .primitive(let content) = field.content { return content }
            return nil
        }
        return nil
    }

    /// The CRL extension with `oid`, if present.
    public func crlExtension(_ oid: ASN1ObjectIdentifier) -> Certificate.Extension? {
        extensions.first { $0.oid == oid }
    }
}

extension CRLDocument {
    /// Parses a DER `CertificateList`; throws `PKIError.malformedCRL` when it is not one.
    public init(derEncoded bytes: [UInt8]) throws {
        do {
            self = try Self.parse(try DER.parse(bytes))
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(code: .malformedCRL, message: "the CRL is not a valid DER CertificateList: \(error)")
        }
    }

    /// Parses a PEM `X509 CRL` block.
    public init(pemEncoded text: String) throws {
        let document: PEMDocument
        do {
            document = try PEMDocument(pemString: text)
        } catch {
            throw PKIError(code: .malformedCRL, message: "the CRL is not valid PEM: \(error)")
        }
        guard document.discriminator == "X509 CRL" else {
            throw PKIError(code: .malformedCRL, message: "expected an X509 CRL PEM block, found \(document.discriminator)")
        }
        try self.init(derEncoded: document.derBytes)
    }

    private static func parse(_ root: ASN1Node) throws -> CRLDocument {
        try DER.sequence(root, identifier: .sequence) { nodes in
            guard let tbs = nodes.next(), let outerAlgorithm = nodes.next() else { throw malformed("missing tbsCertList or signatureAlgorithm") }
            let signature = try ASN1BitString(derEncoded: &nodes)
            var crl = try parseTBS(tbs, outerAlgorithm: outerAlgorithm, signature: signature.bytes)
            // A signature is a whole number of bytes; one with padding bits can never verify.
            crl.signatureIsWholeBytes = signature.paddingBits == 0
            crl.signatureAlgorithm = try AlgorithmIdentifierNode(outerAlgorithm).signatureAlgorithm
            return crl
        }
    }

    private static func parseTBS(_ tbs: ASN1Node, outerAlgorithm: ASN1Node, signature: ArraySlice<UInt8>) throws -> CRLDocument {
        try DER.sequence(tbs, identifier: .sequence) { nodes in
            var version = 1
            var next = nodes.next()
            if let node = next, node.identifier == .integer {
                let value = try Int(derEncoded: node)
                guard value == 1 else { throw malformed("CRL version \(value + 1) is not v2") }
                version = 2
                next = nodes.next()
            }
            guard let innerAlgorithm = next else { throw malformed("missing signature algorithm") }
            // RFC 5280 §5.1.1.2: the signed and the outer algorithm identifiers must be the same.
            guard innerAlgorithm.encodedBytes == outerAlgorithm.encodedBytes else {
                throw malformed("the signed and outer signature algorithms differ")
            }
            guard let issuerNode = nodes.next() else { throw malformed("missing issuer") }
            let issuer = try DistinguishedName(derEncoded: issuerNode)
            guard let thisUpdateNode = nodes.next() else { throw malformed("missing thisUpdate") }
            let thisUpdate = try ValidityTime.date(thisUpdateNode)
            var nextUpdate: Date?
            var entries: [Entry] = []
            var extensions: [Certificate.Extension] = []
            next = nodes.next()
            if let node = next, node.identifier == .utcTime || node.identifier == .generalizedTime {
                nextUpdate = try ValidityTime.date(node)
                next = nodes.next()
            }
            if let node = next, node.identifier == .sequence {
                entries = try DER.sequence(node, identifier: .sequence) { entryNodes in
                    var parsed: [Entry] = []
                    while let entry = entryNodes.next() { parsed.append(try parseEntry(entry)) }
                    return parsed
                }
                next = nodes.next()
            }
            if let node = next {
                extensions = try DER.explicitlyTagged(node, tagNumber: 0, tagClass: .contextSpecific) { try parseExtensions($0) }
                next = nodes.next()
            }
            guard next == nil else { throw malformed("unexpected trailing fields in tbsCertList") }
            guard version == 2 || (extensions.isEmpty && entries.allSatisfy { $0.extensions.isEmpty }) else {
                throw malformed("a v1 CRL carries extensions")
            }
            return CRLDocument(
                version: version, issuer: issuer, thisUpdate: thisUpdate, nextUpdate: nextUpdate, entries: entries,
                extensions: extensions, signatureAlgorithm: nil, signedBytes: tbs.encodedBytes, signatureBytes: signature)
        }
    }

    private static func parseEntry(_ node: ASN1Node) throws -> Entry {
        try DER.sequence(node, identifier: .sequence) { nodes in
            guard let serialNode = nodes.next(), serialNode.identifier == .integer, case .primitive(let serial) = serialNode.content,
                  !serial.isEmpty else {
                throw malformed("a revoked entry has no serial number")
            }
            guard let dateNode = nodes.next() else { throw malformed("a revoked entry has no revocation date") }
            let date = try ValidityTime.date(dateNode)
            let extensions = try nodes.next().map(parseExtensions) ?? []
            guard nodes.next() == nil else { throw malformed("unexpected trailing fields in a revoked entry") }
            return Entry(serialNumber: serial, revocationDate: date, extensions: extensions)
        }
    }

    private static func parseExtensions(_ node: ASN1Node) throws -> [Certificate.Extension] {
        let extensions = try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: node)
        guard !extensions.isEmpty else { throw malformed("an empty Extensions sequence") }
        guard Set(extensions.map(\.oid)).count == extensions.count else { throw malformed("an extension appears twice") }
        return extensions
    }

    static func malformed(_ reason: String) -> PKIError {
        PKIError(code: .malformedCRL, message: "malformed CRL: \(reason)")
    }
}
