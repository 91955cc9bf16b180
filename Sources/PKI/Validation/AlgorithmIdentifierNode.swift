import SwiftASN1
import X509

/// An `AlgorithmIdentifier` read from DER, mapped onto the signature algorithms swift-certificates can verify.
///
/// swift-certificates keeps its `AlgorithmIdentifier` internal, so CRL signatures need their own mapping.
struct AlgorithmIdentifierNode {
    /// The algorithm OID.
    let algorithm: ASN1ObjectIdentifier
    /// The parameters' DER node, if any.
    let parameters: ASN1Node?

    /// Parses `node` as `SEQUENCE { algorithm OBJECT IDENTIFIER, parameters ANY OPTIONAL }`.
    init(_ node: ASN1Node) throws {
        (algorithm, parameters) = try DER.sequence(node, identifier: .sequence) { nodes in
            (try ASN1ObjectIdentifier(derEncoded: &nodes), nodes.next())
        }
    }

    /// The swift-certificates algorithm, or nil when it is not one swift-certificates verifies (DSA, RSA-PSS, …) or
    /// its parameters are not the ones RFC 3279/4055/5758/8410 allow.
    var signatureAlgorithm: Certificate.SignatureAlgorithm? {
        let parametersAbsentOrNull = parameters == nil || parameters?.identifier == .null
        switch algorithm {
        case [1, 2, 840, 10045, 4, 3, 2]: return parameters == nil ? .ecdsaWithSHA256 : nil
        case [1, 2, 840, 10045, 4, 3, 3]: return parameters == nil ? .ecdsaWithSHA384 : nil
        case [1, 2, 840, 10045, 4, 3, 4]: return parameters == nil ? .ecdsaWithSHA512 : nil
        case [1, 2, 840, 113549, 1, 1, 5]: return parametersAbsentOrNull ? .sha1WithRSAEncryption : nil
        case [1, 2, 840, 113549, 1, 1, 11]: return parametersAbsentOrNull ? .sha256WithRSAEncryption : nil
        case [1, 2, 840, 113549, 1, 1, 12]: return parametersAbsentOrNull ? .sha384WithRSAEncryption : nil
        case [1, 2, 840, 113549, 1, 1, 13]: return parametersAbsentOrNull ? .sha512WithRSAEncryption : nil
        case [1, 3, 101, 112]: return parameters == nil ? .ed25519 : nil
        default: return nil
        }
    }
}
