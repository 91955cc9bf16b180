import Foundation
import PKI
import X509

/// Checks the certificate chain a device presented in the TLS handshake: an individual enrollment holding the
/// leaf, else the first certificate up the chain that an X.509 group trusts (signing certificate or verified CA).
public struct X509Attestor: Sendable {
    let repository: any EnrollmentRepository
    let operationalCertificates: OperationalCertificateAttestor?

    /// Creates an attestor; with `operationalCertificates`, a Provisio-issued operational certificate admits its
    /// device under its own enrollment first (renewal), whatever that enrollment's attestation kind.
    public init(repository: any EnrollmentRepository, operationalCertificates: OperationalCertificateAttestor? = nil) {
        self.repository = repository
        self.operationalCertificates = operationalCertificates
    }

    /// Returns the attested device or throws `ProvisioningError.unauthorized` with the reason.
    public func attest(registrationId: String, chain: [Certificate], now: Date) async throws -> AttestedDevice {
        guard let leaf = chain.first else {
            throw ProvisioningError.unauthorized("no client certificate was presented")
        }
        guard leaf.subject.commonName == registrationId else {
            throw ProvisioningError.unauthorized("the certificate's subject CN does not match the registration id")
        }
        if let operationalCertificates,
           let device = try await operationalCertificates.attest(registrationId: registrationId, chain: chain, now: now) {
            return device
        }
        let leafInfo = X509CertificateInfo(leaf)
        if let enrollment = try await repository.individualEnrollment(registrationId: registrationId) {
            return try await attestIndividual(enrollment, leaf: leaf, chain: chain, now: now, leafInfo: leafInfo)
        }
        let (group, anchor) = try await matchingGroup(chain: chain)
        guard group.provisioningStatus != .disabled else {
            throw ProvisioningError.unauthorized("enrollment group \(group.enrollmentGroupId) is disabled")
        }
        try await validate(chain: chain, anchors: [anchor], now: now)
        return AttestedDevice(
            registrationId: registrationId, source: .group(group), hubAuthentication: .certificateAuthority,
            x509Result: X509RegistrationResult(certificateInfo: leafInfo, enrollmentGroupId: group.enrollmentGroupId,
                                               signingCertificateInfo: X509CertificateInfo(anchor)))
    }

    /// Whether a device chain validates against an enabled X.509 group's certificates or `extraAnchors` (the
    /// internal CA); hubs use this for CA-authenticated devices.
    public func isTrusted(chain: [Certificate], extraAnchors: [Certificate], now: Date) async throws -> Bool {
        var anchors = extraAnchors
        for group in try await repository.enabledEnrollmentGroups(attestation: .x509) {
            anchors += try await self.anchors(of: group)
        }
        guard !anchors.isEmpty else { return false }
        do {
            try await validate(chain: chain, anchors: anchors, now: now)
            return true
        } catch {
            return false
        }
    }

    private func attestIndividual(_ enrollment: IndividualEnrollment, leaf: Certificate, chain: [Certificate], now: Date,
                                  leafInfo: X509CertificateInfo) async throws -> AttestedDevice {
        guard enrollment.provisioningStatus != .disabled else {
            throw ProvisioningError.unauthorized("enrollment \(enrollment.registrationId) is disabled")
        }
        let enrolled = [enrollment.attestation.x509?.clientCertificates?.primary, enrollment.attestation.x509?.clientCertificates?.secondary]
            .compactMap { $0?.certificate.flatMap(CertificateText.parse) }
        guard enrollment.attestation.type == .x509, !enrolled.isEmpty else {
            throw ProvisioningError.unauthorized("enrollment \(enrollment.registrationId) does not use X.509 client certificates")
        }
        let thumbprint = CertificateFingerprint.sha1(leaf)
        guard enrolled.contains(where: { CertificateFingerprint.sha1($0) == thumbprint }) else {
            throw ProvisioningError.unauthorized("the certificate is not the one enrolled for \(enrollment.registrationId)")
        }
        // The enrolled certificate itself is the trust anchor: what remains is its validity period and usage.
        guard leaf.notValidBefore <= now, now <= leaf.notValidAfter else {
            throw ProvisioningError.unauthorized("the certificate is not valid at this time")
        }
        if let reason = ClientCertificatePolicy.leafProblem(leaf) {
            throw ProvisioningError.unauthorized("the certificate does not validate: \(reason)")
        }
        let thumbprints = enrolled.map(CertificateFingerprint.sha1)
        return AttestedDevice(
            registrationId: enrollment.registrationId, source: .individual(enrollment),
            hubAuthentication: .selfSigned(primaryThumbprint: thumbprints[0], secondaryThumbprint: thumbprints.count > 1 ? thumbprints[1] : nil),
            x509Result: X509RegistrationResult(certificateInfo: leafInfo, enrollmentGroupId: nil, signingCertificateInfo: nil))
    }

    /// Walks the presented chain upwards; the first certificate a group trusts wins. When none of the presented
    /// certificates is a group's, a group whose certificate issued the top of the presented chain wins.
    private func matchingGroup(chain: [Certificate]) async throws -> (EnrollmentGroup, Certificate) {
        var groups: [(EnrollmentGroup, [Certificate])] = []
        var cursor: String?
        while true {
            let page = try await repository.enrollmentGroups(after: cursor, limit: 500)
            for group in page where group.attestation.type == .x509 {
                groups.append((group, try await anchors(of: group)))
            }
            guard page.count == 500, let last = page.last else { break }
            cursor = last.enrollmentGroupId
        }
        for presented in chain.dropFirst() {
            for (group, anchors) in groups {
                if let anchor = anchors.first(where: { $0 == presented }) { return (group, anchor) }
            }
        }
        if let top = chain.last {
            for (group, anchors) in groups {
                if let anchor = anchors.first(where: { $0.subject == top.issuer && $0.publicKey.isValidSignature(top.signature, for: top) }) {
                    return (group, anchor)
                }
            }
        }
        throw ProvisioningError.unauthorized("no enrollment group trusts the presented certificate chain")
    }

    private func anchors(of group: EnrollmentGroup) async throws -> [Certificate] {
        guard let x509 = group.attestation.x509 else { return [] }
        var anchors = [x509.signingCertificates?.primary, x509.signingCertificates?.secondary]
            .compactMap { $0?.certificate.flatMap(CertificateText.parse) }
        for name in [x509.caReferences?.primary, x509.caReferences?.secondary].compactMap({ $0 }) {
            if let ca = try await repository.caCertificate(name: name), ca.isVerified, let certificate = CertificateText.parse(ca.certificatePEM) {
                anchors.append(certificate)
            }
        }
        return anchors
    }

    /// Validates with ``DeviceChainValidator`` for TLS client certificates (EKU clientAuth, digitalSignature, keyCertSign on
    /// issuers, RFC 5280 profile; no revocation check here). An empty chain does not validate.
    private func validate(chain: [Certificate], anchors: [Certificate], now: Date) async throws {
        let result = await DeviceChainValidator(trustAnchors: anchors).validate(chain: chain, at: now)
        guard case .invalid = result else { return }
        throw ProvisioningError.unauthorized("the certificate chain does not validate: \(result.summary)")
    }
}

/// What a device certificate must allow: TLS client authentication and digital signatures. Individual enrollments trust
/// the enrolled certificate itself, so only these leaf checks apply to them; chains go through `DeviceChainValidator`.
enum ClientCertificatePolicy {
    /// Why a device certificate cannot be used for client authentication, or nil.
    static func leafProblem(_ leaf: Certificate) -> String? {
        do {
            if let usage = try leaf.extensions.extendedKeyUsage, !usage.contains(.clientAuth), !usage.contains(.any) {
                return "the device certificate does not allow TLS client authentication"
            }
            if let usage = try leaf.extensions.keyUsage, !usage.digitalSignature {
                return "the device certificate's key usage lacks digitalSignature"
            }
        } catch {
            return "the device certificate has a malformed usage extension"
        }
        return nil
    }
}
