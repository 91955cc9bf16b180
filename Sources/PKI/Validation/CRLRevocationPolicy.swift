import Foundation
import SwiftASN1
@_spi(FixedExpiryValidationTime) import X509

/// Checks every certificate below the trust anchor against complete CRLs (RFC 5280 §6.3).
///
/// A CRL is used for a certificate when its issuer name matches the certificate's issuer (§7.1 matching), it is
/// current (`thisUpdate` ≤ time ≤ `nextUpdate`), it carries a non-critical CRLNumber (§5.2.3), it has no critical
/// extension this policy does not process (IssuingDistributionPoint, delta CRLs and indirect CRLs are not supported, so
/// such CRLs are not used), and it was signed by a certificate with that name that may sign CRLs: one in the path, or
/// one from the untrusted pool that itself validates, revocation included, to the same trust anchor (§6.3.3 (f)).
struct CRLRevocationPolicy: VerifierPolicy {
    let verifyingCriticalExtensions: [ASN1ObjectIdentifier] = []

    let crls: [CRLDocument]
    /// Whether a certificate without a usable CRL fails (true) or passes (false).
    let requireStatus: Bool
    let validationTime: Date
    let trustAnchors: [Certificate]
    /// Certificates that may sign CRLs for a CA under another key (e.g. a dedicated CRL-signing certificate).
    let untrustedCertificates: [Certificate]
    /// Nesting of CRL-signer validations; separate signers are only searched at the top levels.
    var depth = 0

    static let crlNumber: ASN1ObjectIdentifier = [2, 5, 29, 20]
    static let authorityKeyIdentifier: ASN1ObjectIdentifier = [2, 5, 29, 35]
    static let reasonCode: ASN1ObjectIdentifier = [2, 5, 29, 21]
    static let invalidityDate: ASN1ObjectIdentifier = [2, 5, 29, 24]
    static let freshestCRL: ASN1ObjectIdentifier = [2, 5, 29, 46]

    /// A certificate's revocation status as far as the CRLs tell.
    enum Status {
        case good
        case revoked(String)
        case unknown(String)
    }

    func chainMeetsPolicyRequirements(chain: UnverifiedCertificateChain) async -> PolicyEvaluationResult {
        for index in 0..<(chain.count - 1) {
            switch await status(of: chain[index], index: index, in: chain) {
            case .good:
                continue
            case .revoked(let reason):
                return .failsToMeetPolicy(reason: "CRLRevocationPolicy: \(reason)")
            case .unknown(let reason):
                if requireStatus { return .failsToMeetPolicy(reason: "CRLRevocationPolicy: \(reason)") }
            }
        }
        return .meetsPolicy
    }

    func status(of certificate: Certificate, index: Int, in chain: UnverifiedCertificateChain) async -> Status {
        let issuerName = NormalizedName(certificate.issuer)
        let candidates = crls.filter { NormalizedName($0.issuer) == issuerName }
        guard !candidates.isEmpty else { return .unknown("no CRL from \(certificate.issuer) for \(certificate.subject)") }
        var problems: [String] = []
        var usable = 0
        for crl in candidates {
            if let problem = await unusable(crl, issuerName: issuerName, index: index, chain: chain) {
                problems.append(problem)
                continue
            }
            usable += 1
            if crl.entry(for: certificate) != nil {
                return .revoked("\(certificate.subject) is revoked by its issuer's CRL")
            }
        }
        guard usable > 0 else {
            return .unknown("no usable CRL for \(certificate.subject): \(problems.joined(separator: "; "))")
        }
        return .good
    }

    /// Why `crl` cannot decide the status of certificates `chain[index]`'s issuer issued, or nil when it can.
    func unusable(_ crl: CRLDocument, issuerName: NormalizedName, index: Int, chain: UnverifiedCertificateChain) async -> String? {
        guard crl.thisUpdate <= validationTime else { return "the CRL is not yet valid" }
        guard let nextUpdate = crl.nextUpdate else { return "the CRL has no nextUpdate" }
        guard validationTime <= nextUpdate else { return "the CRL is out of date" }
        if let problem = Self.extensionProblem(crl) { return problem }
        // A signer in the path is already validated; the issuer itself comes first.
        for signer in chain.dropFirst(index + 1) where NormalizedName(signer.subject) == issuerName {
            if Self.maySignCRLs(signer), crl.isSignatureValid(publicKey: signer.publicKey) { return nil }
        }
        guard depth < 2, let anchor = chain.last else { return "the CRL is not signed by its issuer" }
        for signer in untrustedCertificates + trustAnchors where NormalizedName(signer.subject) == issuerName {
            guard !chain.contains(signer), Self.maySignCRLs(signer), crl.isSignatureValid(publicKey: signer.publicKey) else { continue }
            if await validates(signer, to: anchor) { return nil }
        }
        return "the CRL is not signed by a valid CRL issuer"
    }

    /// RFC 5280 §5.2 and §5.3: the extensions this policy processes, and CRLNumber present and non-critical.
    static func extensionProblem(_ crl: CRLDocument) -> String? {
        guard let number = crl.crlExtension(crlNumber) else { return "the CRL has no CRLNumber" }
        guard !number.critical else { return "the CRL's CRLNumber is critical" }
        guard (try? ArraySlice<UInt8>(derEncoded: number.value)) != nil else { return "the CRL's CRLNumber is malformed" }
        for crlExtension in crl.extensions where crlExtension.critical && crlExtension.oid != authorityKeyIdentifier {
            return "the CRL has a critical extension \(crlExtension.oid) that is not supported"
        }
        for entry in crl.entries {
            for entryExtension in entry.extensions
            where entryExtension.critical && entryExtension.oid != reasonCode && entryExtension.oid != invalidityDate {
                return "a CRL entry has a critical extension \(entryExtension.oid) that is not supported"
            }
        }
        return nil
    }

    /// KeyUsage, when present, must assert cRLSign (RFC 5280 §4.2.1.3, §6.3.3 (f)).
    static func maySignCRLs(_ certificate: Certificate) -> Bool {
        do {
            guard let usage = try certificate.extensions.keyUsage else { return true }
            return usage.cRLSign
        } catch {
            return false
        }
    }

    /// Whether a separate CRL signer validates, its own revocation included, to `anchor`.
    func validates(_ signer: Certificate, to anchor: Certificate) async -> Bool {
        var nested = self
        nested.depth += 1
        var verifier = Verifier(rootCertificates: CertificateStore(custom: NameMatchingCertificateStore(trustAnchors))) {
            RFC5280Policy(fixedExpiryValidationTime: validationTime)
            KeyUsagePolicy(requiredLeafUsage: KeyUsage(cRLSign: true))
            nested
        }
        let intermediates = CertificateStore(custom: NameMatchingCertificateStore(untrustedCertificates))
        guard case .validCertificate(let path) = await verifier.validate(leaf: signer, intermediates: intermediates) else { return false }
        return Array(path).last == anchor
    }
}
