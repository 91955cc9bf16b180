import SwiftASN1
import X509

/// Requires the leaf's ExtendedKeyUsage, when present, to allow the purpose (or `anyExtendedKeyUsage`).
///
/// RFC 5280 §4.2.1.12: a certificate without the extension may be used for any purpose, and a critical extension
/// restricts the key to the listed purposes, which is exactly what is enforced here. An empty list is malformed.
struct ExtendedKeyUsagePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.extendedKeyUsage]

    /// The purpose the leaf must allow.
    let requirement: ExtendedKeyUsageRequirement

    /// `tcg-kp-EKCertificate` (TCG EK Credential Profile §3.2.16), the purpose of TPM endorsement-key certificates.
    static let tpmEndorsementKeyCertificate = ExtendedKeyUsage.Usage(oid: [2, 23, 133, 8, 1])

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        let usages: ExtendedKeyUsage?
        do {
            usages = try chain.leaf.extensions.extendedKeyUsage
        } catch {
            return .failsToMeetPolicy(reason: "ExtendedKeyUsagePolicy: the leaf has a malformed ExtendedKeyUsage extension")
        }
        guard let usages else { return .meetsPolicy }
        let wanted: ExtendedKeyUsage.Usage
        switch requirement {
        case .clientAuth: wanted = .clientAuth
        case .serverAuth: wanted = .serverAuth
        case .tpmEndorsementKeyCertificate: wanted = Self.tpmEndorsementKeyCertificate
        }
        guard !usages.isEmpty else {
            return .failsToMeetPolicy(reason: "ExtendedKeyUsagePolicy: the leaf's ExtendedKeyUsage lists no purpose")
        }
        guard usages.contains(wanted) || usages.contains(.any) else {
            return .failsToMeetPolicy(reason: "ExtendedKeyUsagePolicy: the leaf does not allow \(wanted)")
        }
        return .meetsPolicy
    }
}
