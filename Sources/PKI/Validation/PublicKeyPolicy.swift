import _CryptoExtras
import SwiftASN1
import X509

/// Refuses RSA keys below 2048 bits or whose size is not a whole number of bytes, anywhere in the chain.
///
/// swift-certificates only parses P-256/P-384/P-521, Ed25519 and RSA keys, so DSA, P-192 and explicit-curve keys never
/// get this far; short RSA keys do, and their signatures would otherwise verify.
struct PublicKeyPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    /// The smallest RSA modulus accepted, in bits.
    static let minimumRSABits = 2048

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        for certificate in chain {
            guard let rsa = _RSA.Signing.PublicKey(certificate.publicKey) else { continue }
            let bits = rsa.keySizeInBits
            if bits < Self.minimumRSABits || bits % 8 != 0 {
                return .failsToMeetPolicy(reason: "PublicKeyPolicy: \(certificate.subject) has an RSA-\(bits) key")
            }
        }
        return .meetsPolicy
    }
}
