import SwiftASN1
import X509

/// Bounds the work name constraints can cause: names in a certificate times subtrees above it (as rustls-webpki and
/// Chromium do). A path beyond the budget is refused before `RFC5280Policy` compares the names one by one, so a
/// crafted chain (thousands of SANs against thousands of subtrees) cannot pin a core.
struct NameConstraintsBudgetPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    /// The most name-versus-subtree comparisons one path may need.
    static let budget = 250_000

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        var comparisons = 0
        var subtreesAbove = 0
        for certificate in chain.reversed() {
            let names = certificate.subject.reduce(0) { $0 + $1.count }
                + ((try? certificate.extensions.subjectAlternativeNames)?.count ?? 0)
            comparisons += names * subtreesAbove
            if comparisons > Self.budget {
                return .failsToMeetPolicy(reason: "NameConstraintsBudgetPolicy: checking name constraints would take over \(Self.budget) comparisons")
            }
            if let constraints = try? certificate.extensions.nameConstraints {
                subtreesAbove += constraints.permittedSubtrees.count + constraints.excludedSubtrees.count
            }
        }
        return .meetsPolicy
    }
}
