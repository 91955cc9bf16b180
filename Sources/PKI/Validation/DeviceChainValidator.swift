import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Validates a certificate chain a device (or a server) presents against a set of trust anchors.
///
/// Built on swift-certificates' `Verifier` (path building, signatures) and `RFC5280Policy` (validity, basic
/// constraints, path length, name constraints), plus Provisio's own policies for what those leave out: key usage,
/// extended key usage, the RFC 5280 certificate profile, critical SANs (TPM EK certificates), RSA key sizes, wildcard
/// names under name constraints, chain depth and CRL revocation. Issuers are found by RFC 5280 §7.1 name matching.
/// Certificate policies (RFC 5280 §6.1.3 (d)–(j)) are not processed; chains that need them fail on their critical
/// extensions. `Docs/conformance.md` records what the x509-limbo and NIST PKITS suites say about it.
public struct DeviceChainValidator: Sendable {
    /// The certificates a path must end in.
    public let trustAnchors: [Certificate]
    /// How chains are validated.
    public let configuration: Configuration

    /// Creates a validator for `trustAnchors`.
    public init(trustAnchors: [Certificate], configuration: Configuration = Configuration()) {
        self.trustAnchors = trustAnchors
        self.configuration = configuration
    }

    /// Validates `chain` as presented in a TLS handshake: the leaf first, then any intermediates in any order.
    public func validate(chain: [Certificate], at time: Date) async -> ChainValidationResult {
        guard let leaf = chain.first else { return .invalid(reasons: ["no certificate was presented"]) }
        return await validate(leaf: leaf, intermediates: Array(chain.dropFirst()), at: time)
    }

    /// Validates `leaf`, building a path through `intermediates` (untrusted, in any order) to a trust anchor.
    /// Certificate times have whole-second resolution, so `time` is truncated to the second it falls in.
    public func validate(leaf: Certificate, intermediates: [Certificate], at time: Date) async -> ChainValidationResult {
        let time = Date(timeIntervalSince1970: time.timeIntervalSince1970.rounded(.down))
        let purpose = configuration.purpose
        let revocation: CRLRevocationPolicy?
        switch configuration.revocation {
        case .none:
            revocation = nil
        case .crls(let crls, let requireStatus):
            revocation = CRLRevocationPolicy(crls: crls, requireStatus: requireStatus, validationTime: time,
                                             trustAnchors: trustAnchors, untrustedCertificates: intermediates)
        }
        var verifier = Verifier(rootCertificates: CertificateStore(custom: NameMatchingCertificateStore(trustAnchors))) {
            NameConstraintsBudgetPolicy()
            RFC5280Policy(fixedExpiryValidationTime: time)
            CertificateProfilePolicy(serverProfile: purpose.isServer,
                                     requireKeyIdentifiers: configuration.keyIdentifiers == .required)
            SubjectAlternativeNamePolicy(serverProfile: purpose.isServer)
            KeyUsagePolicy(requiredLeafUsage: configuration.requiredLeafKeyUsage)
            ExtendedKeyUsagePolicy(requirement: purpose.extendedKeyUsage)
            PublicKeyPolicy()
            WildcardNameConstraintsPolicy()
            if let maximumIntermediates = configuration.maximumIntermediates {
                ChainDepthPolicy(maximumIntermediates: maximumIntermediates)
            }
            if case .serverAuthentication(let peer?) = purpose {
                PeerNamePolicy(peer: peer)
            }
            if let revocation {
                revocation
            }
        }
        let pool = CertificateStore(custom: NameMatchingCertificateStore(intermediates.prefix(configuration.maximumPresentedCertificates)))
        switch await verifier.validate(leaf: leaf, intermediates: pool) {
        case .validCertificate(let path):
            return .valid(Array(path))
        case .couldNotValidate(let failures):
            var reasons: [String] = []
            for failure in failures where !reasons.contains(failure.policyFailureReason.description) {
                reasons.append(failure.policyFailureReason.description)
            }
            return .invalid(reasons: reasons)
        }
    }
}
