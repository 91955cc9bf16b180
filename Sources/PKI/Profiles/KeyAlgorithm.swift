import Crypto
import _CryptoExtras
import X509

/// The key types Provisio generates for CAs and server-side issued credentials.
public enum KeyAlgorithm: String, Codable, Sendable, CaseIterable {
    /// ECDSA on NIST P-256, signing with SHA-256.
    case ecdsaP256 = "ecdsa-p256"
    /// ECDSA on NIST P-384, signing with SHA-384.
    case ecdsaP384 = "ecdsa-p384"
    /// RSA with a 2048-bit modulus, PKCS#1 v1.5 with SHA-256.
    case rsa2048 = "rsa-2048"
    /// RSA with a 3072-bit modulus, PKCS#1 v1.5 with SHA-256.
    case rsa3072 = "rsa-3072"

    /// Generates a fresh private key of this algorithm from the system's secure random source.
    public func generatePrivateKey() throws -> Certificate.PrivateKey {
        switch self {
        case .ecdsaP256:
            return Certificate.PrivateKey(P256.Signing.PrivateKey())
        case .ecdsaP384:
            return Certificate.PrivateKey(P384.Signing.PrivateKey())
        case .rsa2048:
            return try PKIError.wrapping(.signingFailed, "could not generate an RSA-2048 key") {
                Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits2048))
            }
        case .rsa3072:
            return try PKIError.wrapping(.signingFailed, "could not generate an RSA-3072 key") {
                Certificate.PrivateKey(try _RSA.Signing.PrivateKey(keySize: .bits3072))
            }
        }
    }

    /// The algorithm of `publicKey`, or `nil` when it is none of the generated kinds (e.g. P-521, RSA-4096).
    public init?(publicKey: Certificate.PublicKey) {
        if P256.Signing.PublicKey(publicKey) != nil {
            self = .ecdsaP256
        } else if P384.Signing.PublicKey(publicKey) != nil {
            self = .ecdsaP384
        } else if let rsa = _RSA.Signing.PublicKey(publicKey) {
            switch rsa.keySizeInBits {
            case 2048: self = .rsa2048
            case 3072: self = .rsa3072
            default: return nil
            }
        } else {
            return nil
        }
    }
}
