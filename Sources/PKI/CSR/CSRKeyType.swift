import Crypto
import _CryptoExtras
import X509

/// The key types an issuance policy can allow in a CSR, by the names used in `Policies/issuance.yaml`.
public enum CSRKeyType: String, Codable, Sendable, CaseIterable {
    /// ECDSA on NIST P-256.
    case ecdsaP256 = "ecdsa-p256"
    /// ECDSA on NIST P-384.
    case ecdsaP384 = "ecdsa-p384"
    /// RSA with a 2048-bit modulus.
    case rsa2048 = "rsa-2048"
    /// RSA with a 3072-bit modulus.
    case rsa3072 = "rsa-3072"
    /// RSA with a 4096-bit modulus.
    case rsa4096 = "rsa-4096"

    /// The type of `publicKey`, or nil for any other key (P-521, Ed25519, odd RSA sizes).
    public init?(publicKey: Certificate.PublicKey) {
        if P256.Signing.PublicKey(publicKey) != nil {
            self = .ecdsaP256
        } else if P384.Signing.PublicKey(publicKey) != nil {
            self = .ecdsaP384
        } else if let rsa = _RSA.Signing.PublicKey(publicKey) {
            switch rsa.keySizeInBits {
            case 2048: self = .rsa2048
            case 3072: self = .rsa3072
            case 4096: self = .rsa4096
            default: return nil
            }
        } else {
            return nil
        }
    }
}
