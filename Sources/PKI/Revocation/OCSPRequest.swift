import SwiftASN1
import X509

/// A parsed OCSPRequest (RFC 6960 §4.1.1): the CertIDs asked about and the nonce to echo. Request signatures are
/// not checked (the responder answers anyone, as public responders do).
public struct OCSPRequest: Sendable, Equatable {
    /// The certificates asked about, in request order.
    public var certIDs: [OCSPCertID]
    /// The nonce extension's value (the OCTET STRING it wraps, as sent), echoed in the response.
    public var nonceExtensionValue: [UInt8]?

    /// id-pkix-ocsp-nonce.
    static let nonceOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 2]

    /// Parses DER; throws `PKIError.invalidRevocationRequest` for anything that is not an OCSPRequest.
    public init(derEncoded bytes: [UInt8]) throws {
        do {
            let root = try DER.parse(bytes)
            (certIDs, nonceExtensionValue) = try DER.sequence(root, identifier: .sequence) { nodes in
                let tbs = try OCSPCertID.next(&nodes)
                _ = nodes.next()  // optionalSignature [0]
                return try Self.parseTBSRequest(tbs)
            }
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(code: .invalidRevocationRequest, message: "the body is not a DER OCSPRequest")
        }
        guard !certIDs.isEmpty else {
            throw PKIError(code: .invalidRevocationRequest, message: "the OCSPRequest asks about no certificate")
        }
    }

    /// Builds a request, for tests and tools: the CertIDs and an optional nonce.
    public init(certIDs: [OCSPCertID], nonce: [UInt8]?) {
        self.certIDs = certIDs
        self.nonceExtensionValue = nonce.map { nonce in
            var coder = DER.Serializer()
            try? coder.serialize(ASN1OctetString(contentBytes: nonce[...]))
            return coder.serializedBytes
        }
    }

    /// The request's DER encoding (unsigned).
    public func derBytes() throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                coder.appendConstructedNode(identifier: .sequence) { coder in
                    for certID in certIDs {
                        coder.appendConstructedNode(identifier: .sequence) { $0.serializeRawBytes(certID.derBytes) }
                    }
                }
                if let nonceExtensionValue {
                    try coder.serialize(explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific) { coder in
                        try coder.appendConstructedNode(identifier: .sequence) { coder in
                            try coder.serialize(Certificate.Extension(oid: Self.nonceOID, critical: false, value: nonceExtensionValue[...]))
                        }
                    }
                }
            }
        }
        return coder.serializedBytes
    }

    private static func parseTBSRequest(_ node: ASN1Node) throws -> ([OCSPCertID], [UInt8]?) {
        try DER.sequence(node, identifier: .sequence) { nodes in
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 0, tagClass: .contextSpecific) { try Int(derEncoded: $0) }
            _ = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 1, tagClass: .contextSpecific) { $0 }
            let certIDs = try DER.sequence(try OCSPCertID.next(&nodes), identifier: .sequence) { requests in
                var certIDs: [OCSPCertID] = []
                while let request = requests.next() {
                    certIDs.append(try DER.sequence(request, identifier: .sequence) { fields in
                        let certID = try OCSPCertID(derEncoded: try OCSPCertID.next(&fields))
                        _ = fields.next()  // singleRequestExtensions [0]
                        return certID
                    })
                }
                return certIDs
            }
            let extensions = try DER.optionalExplicitlyTagged(&nodes, tagNumber: 2, tagClass: .contextSpecific) {
                try DER.sequence(of: Certificate.Extension.self, identifier: .sequence, rootNode: $0)
            }
            let nonce = extensions?.first { $0.oid == nonceOID }.map { Array($0.value) }
            return (certIDs, nonce)
        }
    }
}
