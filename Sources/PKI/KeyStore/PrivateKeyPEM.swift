import SwiftASN1
import X509

/// Encodes private keys as PKCS#8 `PRIVATE KEY` PEM, the form NIOSSL, openssl and swift-certificates all read.
enum PrivateKeyPEM {
    /// rsaEncryption, the PKCS#8 algorithm for RSA keys.
    private static let rsaEncryption: ASN1ObjectIdentifier = [1, 2, 840, 113_549, 1, 1, 1]

    /// The key as PKCS#8 PEM ending in a newline; RSA keys (which swift-crypto emits as PKCS#1) are re-wrapped.
    static func pkcs8(_ key: Certificate.PrivateKey) throws -> String {
        try PKIError.wrapping(.invalidStoredMaterial, "the private key cannot be exported as PEM") {
            let document = try key.serializeAsPEM()
            switch document.discriminator {
            case "PRIVATE KEY":
                return document.pemString + "\n"
            case "RSA PRIVATE KEY":
                return try PEMDocument(type: "PRIVATE KEY", derBytes: wrapRSA(document.derBytes)).pemString + "\n"
            default:
                throw PKIError(
                    code: .invalidStoredMaterial,
                    message: "unexpected private key encoding \(document.discriminator)"
                )
            }
        }
    }

    /// `PrivateKeyInfo ::= SEQUENCE { version 0, AlgorithmIdentifier { rsaEncryption, NULL }, OCTET STRING pkcs1 }`.
    private static func wrapRSA(_ pkcs1: [UInt8]) throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.appendConstructedNode(identifier: .sequence) { info in
            try info.serialize(0)
            try info.appendConstructedNode(identifier: .sequence) { algorithm in
                try algorithm.serialize(rsaEncryption)
                try algorithm.serialize(ASN1Null())
            }
            try info.serialize(ASN1OctetString(contentBytes: pkcs1[...]))
        }
        return serializer.serializedBytes
    }
}
