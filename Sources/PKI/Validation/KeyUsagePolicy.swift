import SwiftASN1
import X509

/// Enforces the KeyUsage extension, which `RFC5280Policy` marks as handled but deliberately does not check.
///
/// - An issuing certificate (every certificate above the leaf, the trust anchor included) with KeyUsage must assert
///   `keyCertSign` (RFC 5280 §6.1.4 (n)).
/// - `keyCertSign` is only allowed together with `cA` (§4.2.1.3), a CA with KeyUsage must assert `keyCertSign`
///   (§4.2.1.9 read both ways: the two say the same thing), and KeyUsage must assert at least one bit.
/// - The leaf must assert every bit in `requiredLeafUsage` when it carries KeyUsage (absent KeyUsage allows any use).
struct KeyUsagePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.keyUsage]

    /// Bits the leaf must assert if it has a KeyUsage extension (e.g. `digitalSignature` for TLS client keys).
    let requiredLeafUsage: KeyUsage

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        for (index, certificate) in chain.enumerated() {
            let usage: KeyUsage?
            do {
                usage = try certificate.extensions.keyUsage
            } catch {
                return .failsToMeetPolicy(reason: "KeyUsagePolicy: \(certificate.subject) has a malformed KeyUsage extension")
            }
            guard let usage else { continue }
            if usage == KeyUsage() {
                return .failsToMeetPolicy(reason: "KeyUsagePolicy: \(certificate.subject) has a KeyUsage extension with no bit set")
            }
            if usage.keyCertSign != Self.isCA(certificate) {
                return .failsToMeetPolicy(reason: usage.keyCertSign
                    ? "KeyUsagePolicy: \(certificate.subject) asserts keyCertSign but is not a CA"
                    : "KeyUsagePolicy: CA \(certificate.subject) does not assert keyCertSign")
            }
            if index > 0, !usage.keyCertSign {
                return .failsToMeetPolicy(reason: "KeyUsagePolicy: issuer \(certificate.subject) lacks keyCertSign")
            }
            if index == 0, !Self.asserts(usage, all: requiredLeafUsage) {
                return .failsToMeetPolicy(reason: "KeyUsagePolicy: the leaf's KeyUsage lacks \(requiredLeafUsage)")
            }
        }
        return .meetsPolicy
    }

    /// Whether BasicConstraints says `cA`.
    static func isCA(_ certificate: Certificate) -> Bool {
        if case .isCertificateAuthority = try? certificate.extensions.basicConstraints { return true }
        return false
    }

    private static func asserts(_ usage: KeyUsage, all required: KeyUsage) -> Bool {
        (!required.digitalSignature || usage.digitalSignature) && (!required.nonRepudiation || usage.nonRepudiation)
            && (!required.keyEncipherment || usage.keyEncipherment) && (!required.dataEncipherment || usage.dataEncipherment)
            && (!required.keyAgreement || usage.keyAgreement) && (!required.keyCertSign || usage.keyCertSign)
            && (!required.cRLSign || usage.cRLSign) && (!required.encipherOnly || usage.encipherOnly)
            && (!required.decipherOnly || usage.decipherOnly)
    }
}
