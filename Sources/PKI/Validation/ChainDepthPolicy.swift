import SwiftASN1
import X509

/// Limits how many intermediate CAs a path may have; self-issued intermediates (a CA re-certifying itself, e.g. for a
/// key rollover) do not count, as for `pathLenConstraint` (RFC 5280 §6.1.4 (l)).
struct ChainDepthPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    /// The most intermediates allowed between the leaf and the trust anchor.
    let maximumIntermediates: Int

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        guard chain.count > 2 else { return .meetsPolicy }
        let intermediates = chain.dropFirst().dropLast()
        let counted = intermediates.filter { NormalizedName($0.subject) != NormalizedName($0.issuer) }.count
        guard counted <= maximumIntermediates else {
            return .failsToMeetPolicy(reason: "ChainDepthPolicy: \(counted) intermediates exceed the limit of \(maximumIntermediates)")
        }
        return .meetsPolicy
    }
}
