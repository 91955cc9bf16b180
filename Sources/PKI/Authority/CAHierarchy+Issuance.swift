import Foundation
import SwiftASN1
import X509

extension CAHierarchy {
    /// Issues a TLS server certificate and key from the issuing CA.
    ///
    /// The SAN lists every DNS name and every IP address (IPv4 and IPv6, as raw octets); the subject CN is the
    /// first DNS name, or the first IP address when there are no names. The key is generated per the profile.
    public func issueTLSServerCertificate(
        dnsNames: [String],
        ipAddresses: [String],
        now: Date,
        profile: CertificateProfile
    ) async throws -> IssuedCredential {
        try Self.requireLeaf(profile)
        var alternativeNames: [GeneralName] = []
        for name in dnsNames {
            alternativeNames.append(.dnsName(try Self.validatedDNSName(name)))
        }
        for address in ipAddresses {
            guard let octets = IPAddressBytes.parse(address) else {
                throw PKIError(code: .invalidSubjectAlternativeName, message: "'\(address)' is not an IP address")
            }
            alternativeNames.append(.ipAddress(ASN1OctetString(contentBytes: octets[...])))
        }
        guard let commonName = dnsNames.first ?? ipAddresses.first else {
            throw PKIError(code: .invalidSubjectAlternativeName, message: "a TLS server certificate needs a name or address")
        }
        let key = try profile.keyAlgorithm.generatePrivateKey()
        let leaf = try await issuing.signCertificate(
            publicKey: key.publicKey,
            subject: try subject(for: profile, commonName: commonName),
            profile: profile,
            subjectAlternativeNames: alternativeNames,
            additionalExtensions: try leafRevocationExtensions(),
            now: now
        )
        try await inventory.record(IssuedCertificateRecord(certificate: leaf, profile: profile.name))
        return try IssuedCredential(certificateChain: [leaf, issuing.certificate, root.certificate], privateKey: key)
    }

    /// Issues a certificate for the key in `csr`, returning leaf, issuing CA and root.
    ///
    /// The CSR must pass `CSRPolicy.standard` (valid self-signature; P-256, P-384 or RSA ≥ 2048). Its subject CN is
    /// copied into the profile's subject template; other CSR content (requested extensions, SANs) is ignored, since
    /// the profile alone decides what the certificate may do. `subjectAlternativeNames` are the names an issuance
    /// policy approved (see `EffectiveIssuancePolicy`); none by default.
    public func issue(
        csr: CertificateSigningRequest,
        profile: CertificateProfile,
        deviceId: String?,
        enrollmentId: String?,
        subjectAlternativeNames: [GeneralName] = [],
        now: Date
    ) async throws -> [Certificate] {
        try Self.requireLeaf(profile)
        try CSRPolicy.standard.check(csr)
        let leaf = try await issuing.signCertificate(
            publicKey: csr.publicKey,
            subject: try subject(for: profile, commonName: try CSRPolicy.commonName(of: csr)),
            profile: profile,
            subjectAlternativeNames: subjectAlternativeNames,
            additionalExtensions: try leafRevocationExtensions(),
            now: now
        )
        try await inventory.record(
            IssuedCertificateRecord(certificate: leaf, profile: profile.name, deviceId: deviceId, enrollmentId: enrollmentId)
        )
        return [leaf, issuing.certificate, root.certificate]
    }

    /// The root certificate as PEM: what clients pass as their CA file / `server_verification_cert`.
    public var trustBundlePEM: String {
        // A Certificate re-emits the DER it holds, so encoding cannot fail in practice.
        (try? root.certificate.pemString()) ?? ""
    }

    /// CRL Distribution Points and AIA (OCSP) for a leaf the issuing CA signs, when revocation endpoints are set.
    private func leafRevocationExtensions() throws -> [Certificate.Extension] {
        guard let revocationEndpoints else { return [] }
        return try PKIError.wrapping(.signingFailed, "could not encode the revocation extensions") {
            try revocationEndpoints.extensions(issuerName: issuing.name)
        }
    }

    private func subject(for profile: CertificateProfile, commonName: String) throws -> DistinguishedName {
        try profile.subjectTemplate().render(.init(commonName: commonName, organization: configuration.organization))
    }

    private static func requireLeaf(_ profile: CertificateProfile) throws {
        guard !profile.isCertificateAuthority else {
            throw PKIError(
                code: .profileNotApplicable,
                message: "profile '\(profile.name)' is a CA profile and cannot be used for leaf certificates"
            )
        }
    }

    /// A DNS name in the form a SAN may hold: ASCII labels of letters, digits and hyphens (a leading `*.` allowed).
    private static func validatedDNSName(_ name: String) throws -> String {
        let labels = name.split(separator: ".", omittingEmptySubsequences: false)
        let valid =
            !name.isEmpty && name.utf8.count <= 253
            && labels.enumerated().allSatisfy { index, label in
                if index == 0 && label == "*" && labels.count > 2 { return true }
                return !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                    && label.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }
            }
        guard valid else {
            throw PKIError(code: .invalidSubjectAlternativeName, message: "'\(name)' is not a valid DNS name")
        }
        return name
    }
}
