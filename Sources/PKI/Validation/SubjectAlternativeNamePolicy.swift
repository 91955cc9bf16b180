import SwiftASN1
import X509

/// Understands SubjectAlternativeName, so a certificate whose SAN is critical can be validated at all.
///
/// TPM endorsement-key certificates have an empty subject and a critical SAN holding a directoryName with the TPM
/// manufacturer, model and firmware version (TCG EK Credential Profile §3.2.9); swift-certificates rejects any
/// critical extension no policy claims. Claiming it is sound because the SAN is parsed here and `RFC5280Policy`
/// applies NameConstraints to it. The rules (RFC 5280 §4.1.2.6, §4.2.1.6):
/// - SAN, when present, must decode and name at least one name;
/// - a certificate with an empty subject must have a critical SAN;
/// - for TLS servers (CA/Browser Forum §7.1.2.7.12) a SAN must not be critical when the subject is not empty.
struct SubjectAlternativeNamePolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = [.X509ExtensionID.subjectAlternativeName]

    /// Whether the CA/Browser Forum rule for server leaves applies.
    let serverProfile: Bool

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) -> PolicyEvaluationResult {
        for (index, certificate) in chain.enumerated() {
            if let problem = problem(certificate, isLeaf: index == 0) {
                return .failsToMeetPolicy(reason: "SubjectAlternativeNamePolicy: \(certificate.subject): \(problem)")
            }
        }
        return .meetsPolicy
    }

    func problem(_ certificate: Certificate, isLeaf: Bool) -> String? {
        let raw = certificate.extensions[oid: .X509ExtensionID.subjectAlternativeName]
        if let raw {
            guard let names = try? SubjectAlternativeNames(raw) else { return "a malformed SubjectAlternativeName" }
            if names.isEmpty { return "a SubjectAlternativeName without names" }
        }
        if certificate.subject.isEmpty, raw?.critical != true {
            return "an empty subject needs a critical SubjectAlternativeName"
        }
        if serverProfile, isLeaf, raw?.critical == true, !certificate.subject.isEmpty {
            return "a critical SubjectAlternativeName with a non-empty subject"
        }
        return nil
    }
}
