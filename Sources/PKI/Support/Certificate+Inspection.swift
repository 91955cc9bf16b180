import Crypto
import _CryptoExtras
import SwiftASN1
import X509

extension Certificate.PublicKey {
    /// The signature algorithm a CA holding this key signs with: SHA-256 for P-256 and RSA, SHA-384 for P-384.
    var issuerSignatureAlgorithm: Certificate.SignatureAlgorithm? {
        if P256.Signing.PublicKey(self) != nil { return .ecdsaWithSHA256 }
        if P384.Signing.PublicKey(self) != nil { return .ecdsaWithSHA384 }
        if P521.Signing.PublicKey(self) != nil { return .ecdsaWithSHA512 }
        if _RSA.Signing.PublicKey(self) != nil { return .sha256WithRSAEncryption }
        return nil
    }

    /// A short human-readable algorithm name such as `ECDSA P-256` or `RSA 3072`.
    var algorithmDescription: String {
        if P256.Signing.PublicKey(self) != nil { return "ECDSA P-256" }
        if P384.Signing.PublicKey(self) != nil { return "ECDSA P-384" }
        if P521.Signing.PublicKey(self) != nil { return "ECDSA P-521" }
        if let rsa = _RSA.Signing.PublicKey(self) { return "RSA \(rsa.keySizeInBits)" }
        if Curve25519.Signing.PublicKey(self) != nil { return "Ed25519" }
        return String(describing: self)
    }
}

extension Certificate {
    /// The serial number as `openssl x509 -serial` prints it, lowercased: two hex digits per byte, no padding byte.
    var serialNumberHex: String {
        let bytes = serialNumber.bytes.drop(while: { $0 == 0 })
        guard !bytes.isEmpty else { return "00" }
        return bytes.hexString
    }

    /// The certificate's DER encoding.
    func derBytes() throws -> [UInt8] {
        var serializer = DER.Serializer()
        try serializer.serialize(self)
        return serializer.serializedBytes
    }

    /// The certificate's PEM encoding, ending in a newline.
    func pemString() throws -> String {
        try serializeAsPEM().pemString + "\n"
    }

    /// The SHA-256 fingerprint in the colon-separated uppercase form `openssl x509 -fingerprint` prints.
    func sha256Fingerprint() throws -> String {
        SHA256.hash(data: try derBytes()).map { byte in
            let hex = String(byte, radix: 16, uppercase: true)
            return hex.count == 1 ? "0" + hex : hex
        }.joined(separator: ":")
    }

    /// The subject key identifier, falling back to the RFC 5280 method-1 hash when the extension is absent.
    func subjectKeyIdentifierBytes() throws -> ArraySlice<UInt8> {
        if let ski = try extensions.subjectKeyIdentifier {
            return ski.keyIdentifier
        }
        return SubjectKeyIdentifier(hash: publicKey).keyIdentifier
    }
}

extension Sequence where Element == UInt8 {
    /// Lowercase hex, two digits per byte.
    var hexString: String {
        map { byte in
            let hex = String(byte, radix: 16)
            return hex.count == 1 ? "0" + hex : hex
        }.joined()
    }
}
