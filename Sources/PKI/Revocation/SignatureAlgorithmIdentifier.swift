import SwiftASN1
import X509

/// The DER AlgorithmIdentifier of a signature algorithm; swift-certificates keeps its own encoder internal.
enum SignatureAlgorithmIdentifier {
    /// Appends `SEQUENCE { algorithm OID, parameters }`: NULL parameters for RSA, none for ECDSA and Ed25519 (RFC 5758, 8410).
    static func serialize(_ algorithm: Certificate.SignatureAlgorithm, into coder: inout DER.Serializer) throws {
        let (oid, nullParameters) = try identifier(algorithm)
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(oid)
            if nullParameters { try coder.serialize(ASN1Null()) }
        }
    }

    private static func identifier(_ algorithm: Certificate.SignatureAlgorithm) throws -> (ASN1ObjectIdentifier, Bool) {
        switch algorithm {
        case .ecdsaWithSHA256: return ([1, 2, 840, 10045, 4, 3, 2], false)
        case .ecdsaWithSHA384: return ([1, 2, 840, 10045, 4, 3, 3], false)
        case .ecdsaWithSHA512: return ([1, 2, 840, 10045, 4, 3, 4], false)
        case .sha256WithRSAEncryption: return ([1, 2, 840, 113549, 1, 1, 11], true)
        case .sha384WithRSAEncryption: return ([1, 2, 840, 113549, 1, 1, 12], true)
        case .sha512WithRSAEncryption: return ([1, 2, 840, 113549, 1, 1, 13], true)
        case .ed25519: return ([1, 3, 101, 112], false)
        default:
            throw PKIError(code: .signingFailed, message: "signature algorithm \(algorithm) is not supported for CRLs and OCSP")
        }
    }
}
