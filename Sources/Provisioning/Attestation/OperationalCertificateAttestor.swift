import Foundation
import PKI
import X509

/// Admits a device to DPS with the operational certificate Provisio issued it (renewal): the certificate must
/// chain to one of Provisio's issuing CAs, be the one the inventory recorded (same DER), not be revoked, have the
/// registration id as its subject CN, and have been issued to this device under the enrollment (individual or
/// group) that admits the registration id now — which must be enabled. The enrollment's own attestation kind
/// (symmetric key, TPM, X.509) does not matter; the device then authenticates to its hub by certificate (CA).
public struct OperationalCertificateAttestor: Sendable {
    let repository: any EnrollmentRepository
    let inventory: any RevocationStore
    let issuingCertificates: @Sendable () -> [Certificate]

    /// Creates the attestor; `issuingCertificates` returns the issuing CAs that currently verify (rotation changes them).
    public init(repository: any EnrollmentRepository, inventory: any RevocationStore,
                issuingCertificates: @escaping @Sendable () -> [Certificate]) {
        self.repository = repository
        self.inventory = inventory
        self.issuingCertificates = issuingCertificates
    }

    /// The attested device when `chain`'s leaf is a Provisio operational certificate of this device; nil when the
    /// leaf is not one Provisio issued (other attestation applies). Throws `unauthorized` for one that may not be used.
    public func attest(registrationId: String, chain: [Certificate], now: Date) async throws -> AttestedDevice? {
        guard let leaf = chain.first else { return nil }
        let serial = SerialNumberText.canonical(bytes: leaf.serialNumber.bytes)
        guard let entry = try await inventory.certificateEntry(serialNumber: serial), (try? entry.record.certificate()) == leaf,
              let issuedTo = entry.record.deviceId, let issuedUnder = entry.record.enrollmentId
        else { return nil }
        let anchors = issuingCertificates()
        guard anchors.contains(where: { $0.subject == leaf.issuer }) else { return nil }
        if let revocation = entry.revocation {
            throw ProvisioningError.unauthorized("certificate \(serial) is revoked (\(revocation.reason.name))")
        }
        guard leaf.subject.commonName == registrationId else {
            throw ProvisioningError.unauthorized("the certificate's subject CN does not match the registration id")
        }
        let result = await DeviceChainValidator(trustAnchors: anchors).validate(chain: chain, at: now)
        if case .invalid = result {
            throw ProvisioningError.unauthorized("the certificate chain does not validate: \(result.summary)")
        }
        let issuer = anchors.first { $0.subject == leaf.issuer }.map(X509CertificateInfo.init)
        let leafInfo = X509CertificateInfo(leaf)

        if let enrollment = try await repository.individualEnrollment(registrationId: registrationId) {
            if Self.enrolls(enrollment, leaf) { return nil }  // its own enrolled certificate: plain X.509 attestation
            guard issuedUnder.caseInsensitiveCompare(enrollment.registrationId) == .orderedSame else {
                throw ProvisioningError.unauthorized("the certificate was not issued under enrollment \(enrollment.registrationId)")
            }
            guard enrollment.provisioningStatus != .disabled else {
                throw ProvisioningError.unauthorized("enrollment \(enrollment.registrationId) is disabled")
            }
            let device = AttestedDevice(
                registrationId: enrollment.registrationId, source: .individual(enrollment), hubAuthentication: .certificateAuthority,
                x509Result: X509RegistrationResult(certificateInfo: leafInfo, enrollmentGroupId: nil, signingCertificateInfo: issuer))
            try Self.requireSameDevice(issuedTo, device)
            return device
        }
        guard let group = try await repository.enrollmentGroup(id: issuedUnder) else {
            throw ProvisioningError.unauthorized("the enrollment the certificate was issued under no longer exists")
        }
        guard group.provisioningStatus != .disabled else {
            throw ProvisioningError.unauthorized("enrollment group \(group.enrollmentGroupId) is disabled")
        }
        let device = AttestedDevice(
            registrationId: registrationId, source: .group(group), hubAuthentication: .certificateAuthority,
            x509Result: X509RegistrationResult(certificateInfo: leafInfo, enrollmentGroupId: group.enrollmentGroupId,
                                               signingCertificateInfo: issuer))
        try Self.requireSameDevice(issuedTo, device)
        return device
    }

    private static func requireSameDevice(_ issuedTo: String, _ device: AttestedDevice) throws {
        guard issuedTo.caseInsensitiveCompare(device.deviceId) == .orderedSame else {
            throw ProvisioningError.unauthorized("the certificate was issued to another device")
        }
    }

    /// Whether an X.509 individual enrollment lists `leaf` itself as a client certificate.
    private static func enrolls(_ enrollment: IndividualEnrollment, _ leaf: Certificate) -> Bool {
        let thumbprint = CertificateFingerprint.sha1(leaf)
        return [enrollment.attestation.x509?.clientCertificates?.primary, enrollment.attestation.x509?.clientCertificates?.secondary]
            .compactMap { $0?.certificate.flatMap(CertificateText.parse) }
            .contains { CertificateFingerprint.sha1($0) == thumbprint }
    }
}

extension OperationalCertificateAttestor {
    /// Whether `chain` is this registration's operational certificate, revoked by a renewal (reason `superseded`)
    /// and otherwise valid: it may still poll the status of the operation that issued its successor.
    public func isSuperseded(registrationId: String, chain: [Certificate], now: Date) async throws -> Bool {
        guard let leaf = chain.first, leaf.subject.commonName == registrationId else { return false }
        let serial = SerialNumberText.canonical(bytes: leaf.serialNumber.bytes)
        guard let entry = try await inventory.certificateEntry(serialNumber: serial), (try? entry.record.certificate()) == leaf,
              entry.revocation?.reason == .superseded, entry.record.status == .revoked
        else { return false }
        let anchors = issuingCertificates()
        guard anchors.contains(where: { $0.subject == leaf.issuer }) else { return false }
        let result = await DeviceChainValidator(trustAnchors: anchors).validate(chain: chain, at: now)
        if case .invalid = result { return false }
        return true
    }
}
