import SwiftASN1
import X509

/// One CertID of an OCSP request (RFC 6960 §4.1.1): which issuer (by name and key hash) and which serial.
///
/// The exact DER it arrived in is kept: a response must repeat the CertID, and repeating the bytes keeps
/// whatever parameter encoding the client chose (absent or NULL) for its hash AlgorithmIdentifier.
public struct OCSPCertID: Sendable, Equatable {
    /// The hash algorithm, nil when the client used one this responder does not compute.
    public var hashAlgorithm: OCSPHashAlgorithm?
    /// Hash of the issuer's DER-encoded subject name.
    public var issuerNameHash: [UInt8]
    /// Hash of the issuer's public key (the subjectPublicKey BIT STRING contents).
    public var issuerKeyHash: [UInt8]
    /// The serial number's DER INTEGER content bytes.
    public var serialNumber: [UInt8]
    /// The CertID's own DER encoding.
    public var derBytes: [UInt8]

    /// Parses a CertID node.
    init(derEncoded node: ASN1Node) throws {
        derBytes = Array(node.encodedBytes)
        (hashAlgorithm, issuerNameHash, issuerKeyHash, serialNumber) = try DER.sequence(node, identifier: .sequence) { nodes in
            let algorithm = try DER.sequence(try Self.next(&nodes), identifier: .sequence) { nodes in
                let oid = try ASN1ObjectIdentifier(derEncoded: try Self.next(&nodes))
                _ = nodes.next()  // parameters: NULL or absent
                return OCSPHashAlgorithm(oid: oid)
            }
            let nameHash = try ASN1OctetString(derEncoded: try Self.next(&nodes))
            let keyHash = try ASN1OctetString(derEncoded: try Self.next(&nodes))
            let serial = try ArraySlice<UInt8>(derEncoded: try Self.next(&nodes))
            return (algorithm, Array(nameHash.bytes), Array(keyHash.bytes), Array(serial))
        }
    }

    /// Builds the CertID for `serialNumber` issued by `issuer` (what a client computes; for tests and tools).
    public init(hashAlgorithm: OCSPHashAlgorithm, issuer: Certificate, serialNumber: Certificate.SerialNumber) throws {
        let nameHash = hashAlgorithm.hash(try Self.nameDER(issuer.subject))
        let keyHash = hashAlgorithm.hash(issuer.publicKey.subjectPublicKeyInfoBytes)
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                try coder.serialize(hashAlgorithm.oid)
                try coder.serialize(ASN1Null())
            }
            try coder.serialize(ASN1OctetString(contentBytes: nameHash[...]))
            try coder.serialize(ASN1OctetString(contentBytes: keyHash[...]))
            coder.appendPrimitiveNode(identifier: .integer) { $0.append(contentsOf: serialNumber.bytes) }
        }
        self.hashAlgorithm = hashAlgorithm
        self.issuerNameHash = nameHash
        self.issuerKeyHash = keyHash
        self.serialNumber = Array(serialNumber.bytes)
        self.derBytes = coder.serializedBytes
    }

    /// The serial in the inventory's canonical form.
    public var canonicalSerialNumber: String {
        SerialNumberText.canonical(bytes: serialNumber)
    }

    /// Whether this CertID names `authority` as the issuer.
    func names(_ authority: CertificateAuthority) -> Bool {
        guard let hashAlgorithm, let name = try? Self.nameDER(authority.certificate.subject) else { return false }
        return hashAlgorithm.hash(name) == issuerNameHash
            && hashAlgorithm.hash(authority.certificate.publicKey.subjectPublicKeyInfoBytes) == issuerKeyHash
    }

    static func nameDER(_ name: DistinguishedName) throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.serialize(name)
        return coder.serializedBytes
    }

    static func next(_ nodes: inout ASN1NodeCollection.Iterator) throws -> ASN1Node {
        guard let node = nodes.next() else { throw ASN1Error.invalidASN1Object(reason: "a required field is missing") }
        return node
    }
}
