import SwiftASN1
import X509

/// The RFC 5280 §4 profile rules a relying party can check and `RFC5280Policy` does not: well-formed extensions,
/// names, where BasicConstraints and NameConstraints may appear and how they must be marked, and serial length.
///
/// Trust anchors get the same structural checks as the rest of the chain: an anchor is configuration (an uploaded or
/// enrolled CA certificate), and a malformed one is refused rather than trusted "out of band".
struct CertificateProfilePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    /// Adds the CA/Browser Forum rules for TLS server chains: v3 only, and a root's AuthorityKeyIdentifier limited to
    /// `keyIdentifier`.
    let serverProfile: Bool
    /// Requires AuthorityKeyIdentifier (with `keyIdentifier`) on every certificate that is not self-signed and
    /// SubjectKeyIdentifier on every CA (RFC 5280 §4.2.1.1, §4.2.1.2).
    let requireKeyIdentifiers: Bool

    /// id-ce-policyConstraints.
    static let policyConstraints: ASN1ObjectIdentifier = [2, 5, 29, 36]

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        for (index, certificate) in chain.enumerated() {
            let role = Role(index: index, count: chain.count, certificate: certificate)
            if let problem = problem(certificate, role: role) {
                return .failsToMeetPolicy(reason: "CertificateProfilePolicy: \(certificate.subject): \(problem)")
            }
        }
        return .meetsPolicy
    }

    /// Where a certificate sits in the candidate path.
    struct Role {
        let isLeaf: Bool
        let isAnchor: Bool
        let isIssuer: Bool
        let isCA: Bool

        init(index: Int, count: Int, certificate: Certificate) {
            isLeaf = index == 0
            isAnchor = index == count - 1 && count > 1
            isIssuer = index > 0
            isCA = KeyUsagePolicy.isCA(certificate)
        }
    }

    func problem(_ certificate: Certificate, role: Role) -> String? {
        if let problem = Self.malformedExtension(certificate) { return problem }
        if certificate.issuer.isEmpty { return "the issuer name is empty" }
        if (role.isCA || role.isIssuer), certificate.subject.isEmpty { return "a CA with an empty subject name" }
        if certificate.serialNumber.bytes.count > 20 { return "the serial number is longer than 20 octets" }
        if role.isIssuer, !role.isAnchor, certificate.version != .v3 { return "an intermediate CA that is not X.509 v3" }
        if role.isAnchor, let problem = Self.anchorProblem(certificate) { return problem }
        if let problem = Self.nameConstraintsProblem(certificate, isCA: role.isCA) { return problem }
        if let policyConstraints = certificate.extensions[oid: Self.policyConstraints], !policyConstraints.critical {
            return "policyConstraints is not critical"
        }
        if requireKeyIdentifiers,
           let problem = Self.keyIdentifierProblem(certificate, isCA: role.isCA || role.isIssuer, isAnchor: role.isAnchor) {
            return problem
        }
        if serverProfile, let problem = Self.serverProblem(certificate, role: role) { return problem }
        return nil
    }

    /// Every extension swift-certificates has a type for must decode, and no extension may appear twice.
    static func malformedExtension(_ certificate: Certificate) -> String? {
        let extensions = certificate.extensions
        if Set(extensions.map(\.oid)).count != extensions.count { return "an extension appears twice" }
        do {
            _ = try extensions.authorityKeyIdentifier
            _ = try extensions.subjectKeyIdentifier
            _ = try extensions.basicConstraints
            _ = try extensions.nameConstraints
            _ = try extensions.authorityInformationAccess
            _ = try extensions.subjectAlternativeNames
            _ = try extensions.keyUsage
            _ = try extensions.extendedKeyUsage
        } catch {
            return "a malformed extension (\(error))"
        }
        return nil
    }

    /// RFC 5280 §4.2.1.9: a CA certificate must carry a critical BasicConstraints with cA.
    static func anchorProblem(_ certificate: Certificate) -> String? {
        guard let basicConstraints = certificate.extensions[oid: .X509ExtensionID.basicConstraints] else {
            return "the trust anchor has no BasicConstraints"
        }
        guard basicConstraints.critical else { return "the trust anchor's BasicConstraints is not critical" }
        guard KeyUsagePolicy.isCA(certificate) else { return "the trust anchor is not a CA" }
        return nil
    }

    /// RFC 5280 §4.2.1.10: only in CA certificates, critical, with at least one subtree, and dNSName constraints that
    /// are host names (`.example.com` is the URI form, `*` is no DNS constraint syntax).
    static func nameConstraintsProblem(_ certificate: Certificate, isCA: Bool) -> String? {
        guard let raw = certificate.extensions[oid: .X509ExtensionID.nameConstraints] else { return nil }
        guard isCA else { return "NameConstraints in a certificate that is not a CA" }
        guard raw.critical else { return "NameConstraints is not critical" }
        guard let constraints = try? NameConstraints(raw),
              !constraints.permittedSubtrees.isEmpty || !constraints.excludedSubtrees.isEmpty else {
            return "NameConstraints has neither permitted nor excluded subtrees"
        }
        for case .dnsName(let name) in constraints.permittedSubtrees + constraints.excludedSubtrees
        where name.hasPrefix(".") || name.contains("*") {
            return "NameConstraints has an invalid dNSName constraint \"\(name)\""
        }
        return nil
    }

    /// AKI with keyIdentifier on non-self-signed certificates, SKI on CAs, and a self-signed AKI that names itself.
    /// A trust anchor need not name its issuer: path validation never looks above it (RFC 5280 §6.1.1 (d)).
    static func keyIdentifierProblem(_ certificate: Certificate, isCA: Bool, isAnchor: Bool) -> String? {
        let authority = try? certificate.extensions.authorityKeyIdentifier
        let subject = try? certificate.extensions.subjectKeyIdentifier
        let selfSigned = certificate.isSelfSigned
        if let authority, authority.keyIdentifier == nil { return "the AuthorityKeyIdentifier has no keyIdentifier" }
        if !selfSigned, !isAnchor, authority == nil { return "no AuthorityKeyIdentifier" }
        if isCA, subject == nil { return "a CA without SubjectKeyIdentifier" }
        if selfSigned, let authority, let subject, authority.keyIdentifier != subject.keyIdentifier {
            return "a self-signed certificate whose AuthorityKeyIdentifier is not its SubjectKeyIdentifier"
        }
        return nil
    }

    /// CA/Browser Forum Baseline Requirements §7.1.1, §7.1.2.1.3 and §7.1.2.7.8.
    static func serverProblem(_ certificate: Certificate, role: Role) -> String? {
        if certificate.version != .v3 { return "not an X.509 v3 certificate" }
        if role.isAnchor, let authority = try? certificate.extensions.authorityKeyIdentifier,
           authority.authorityCertIssuer != nil || authority.authorityCertSerialNumber != nil {
            return "a root whose AuthorityKeyIdentifier names an issuer or serial number"
        }
        return nil
    }
}

extension Certificate {
    /// Issuer and subject match (RFC 5280 §7.1) and the certificate's own key verifies its signature.
    var isSelfSigned: Bool {
        NormalizedName(issuer) == NormalizedName(subject) && publicKey.isValidSignature(signature, for: self)
    }
}
