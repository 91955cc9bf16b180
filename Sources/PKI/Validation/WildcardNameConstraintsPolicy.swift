import SwiftASN1
import X509

/// Applies DNS name constraints to wildcard SAN entries as the set of names they can match (CVE-2025-61727).
///
/// `*.example.com` is not itself inside an excluded `bar.example.com`, yet it authenticates `bar.example.com`; and it
/// is not inside a permitted `foo.example.com` although it authenticates that name among others. A wildcard passes
/// only when every name it can match (one label on top of its base) is permitted and none is excluded.
struct WildcardNameConstraintsPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        for (index, ca) in chain.enumerated() where index > 0 {
            guard let constraints = try? ca.extensions.nameConstraints else { continue }
            let permitted = Self.dnsNames(constraints.permittedSubtrees)
            let excluded = Self.dnsNames(constraints.excludedSubtrees)
            guard !permitted.isEmpty || !excluded.isEmpty else { continue }
            for certificate in chain.prefix(index) {
                for base in Self.wildcardBases(certificate) {
                    if excluded.contains(where: { Self.overlaps(wildcardBase: base, subtree: $0) }) {
                        return .failsToMeetPolicy(reason: "WildcardNameConstraintsPolicy: *.\(base) can match a name \(ca.subject) excludes")
                    }
                    if !permitted.isEmpty, !permitted.contains(where: { Self.isWithin(base, subtree: $0) }) {
                        return .failsToMeetPolicy(reason: "WildcardNameConstraintsPolicy: *.\(base) can match names \(ca.subject) does not permit")
                    }
                }
            }
        }
        return .meetsPolicy
    }

    /// The DNS constraints, lower-cased and without a leading period.
    static func dnsNames(_ subtrees: [GeneralName]) -> [String] {
        subtrees.compactMap { name in
            guard case .dnsName(let value) = name else { return nil }
            let lowered = value.lowercased()
            return lowered.hasPrefix(".") ? String(lowered.dropFirst()) : lowered
        }
    }

    /// The base domains of the certificate's wildcard DNS SANs: `example.com` for `*.example.com`.
    static func wildcardBases(_ certificate: Certificate) -> [String] {
        guard let names = try? certificate.extensions.subjectAlternativeNames else { return [] }
        return names.compactMap { name in
            guard case .dnsName(let value) = name, value.hasPrefix("*.") else { return nil }
            return String(value.dropFirst(2)).lowercased()
        }
    }

    /// Whether `name` equals `subtree` or lies below it.
    static func isWithin(_ name: String, subtree: String) -> Bool {
        subtree.isEmpty || name == subtree || name.hasSuffix("." + subtree)
    }

    /// Whether some name `label.base` lies within `subtree`.
    static func overlaps(wildcardBase base: String, subtree: String) -> Bool {
        if isWithin(base, subtree: subtree) { return true }
        // The subtree is exactly one label below the base: the wildcard matches its root name.
        guard subtree.hasSuffix("." + base) else { return false }
        return !subtree.dropLast(base.count + 1).contains(".")
    }
}
