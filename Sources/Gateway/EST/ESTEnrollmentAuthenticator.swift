import AccessControl
import Foundation
import PKI
import Provisioning
import X509

/// Authenticates EST `simpleenroll` against the enrollments: HTTP Basic with the registration id and the device's
/// symmetric key (an individual enrollment's key, or the key derived from a group's), or a TLS client certificate
/// that attests against an X.509 enrollment exactly as DPS registration does.
///
/// A credential that does not match is 401; a matching credential of a disabled enrollment or group is 403.
struct ESTEnrollmentAuthenticator: Sendable {
    let repository: any EnrollmentRepository
    let certificates: X509Attestor
    /// Keys are compared as HMACs under this per-process key, so the comparison leaks neither content nor length.
    private let blinding = SharedAccessKey.generate(byteCount: 32)

    init(repository: any EnrollmentRepository) {
        self.repository = repository
        self.certificates = X509Attestor(repository: repository)
    }

    /// The client behind a Basic credential.
    func authenticate(_ credentials: ESTBasicCredentials) async throws -> ESTClient {
        guard let presented = try? SharedAccessKey(base64: credentials.key) else {
            throw ESTError.unauthorized("the credential does not authenticate")
        }
        let registrationId = credentials.registrationId
        if let enrollment = try await repository.individualEnrollment(registrationId: registrationId) {
            guard enrollment.attestation.type == .symmetricKey, let keys = enrollment.attestation.symmetricKey else {
                throw ESTError.unauthorized("the credential does not authenticate")
            }
            let enrolled = [keys.primaryKey, keys.secondaryKey].compactMap { $0.flatMap { try? SharedAccessKey(base64: $0) } }
            guard matches(presented, anyOf: enrolled) else { throw ESTError.unauthorized("the credential does not authenticate") }
            guard enrollment.provisioningStatus != .disabled else {
                throw ESTError.forbidden("enrollment \(enrollment.registrationId) is disabled")
            }
            let deviceId = enrollment.deviceId.flatMap { $0.isEmpty ? nil : $0 } ?? enrollment.registrationId
            return ESTClient(registrationId: enrollment.registrationId, deviceId: deviceId, enrollmentId: enrollment.registrationId)
        }
        // Enabled groups first (the common case, and what attestation reads); disabled ones only to say 403.
        for group in try await repository.enabledEnrollmentGroups(attestation: .symmetricKey)
        where matches(presented, anyOf: derivedKeys(of: group, for: registrationId)) {
            return ESTClient(registrationId: registrationId, deviceId: registrationId, enrollmentId: group.enrollmentGroupId)
        }
        for group in try await repository.disabledEnrollmentGroups(attestation: .symmetricKey)
        where matches(presented, anyOf: derivedKeys(of: group, for: registrationId)) {
            throw ESTError.forbidden("enrollment group \(group.enrollmentGroupId) is disabled")
        }
        throw ESTError.unauthorized("the credential does not authenticate")
    }

    /// The client behind a TLS client certificate chain (leaf first); its subject CN is the registration id.
    func authenticate(chain: [Certificate], now: Date) async throws -> ESTClient {
        guard let registrationId = chain.first?.subject.commonNameText, !registrationId.isEmpty else {
            throw ESTError.unauthorized("the client certificate has no subject common name")
        }
        let device: AttestedDevice
        do {
            device = try await certificates.attest(registrationId: registrationId, chain: chain, now: now)
        } catch let error as ProvisioningError {
            if try await isDisabledIndividualEnrollment(registrationId: registrationId, leaf: chain[0]) {
                throw ESTError.forbidden("enrollment \(registrationId) is disabled")
            }
            throw ESTError.unauthorized(error.message)
        }
        return ESTClient(registrationId: device.registrationId, deviceId: device.deviceId,
                         enrollmentId: device.settings.enrollmentGroupId ?? device.registrationId)
    }

    /// A disabled individual X.509 enrollment that holds exactly this leaf: the holder proved possession in the
    /// TLS handshake, so telling it the enrollment is disabled reveals nothing to a stranger.
    private func isDisabledIndividualEnrollment(registrationId: String, leaf: Certificate) async throws -> Bool {
        guard let enrollment = try await repository.individualEnrollment(registrationId: registrationId),
              enrollment.provisioningStatus == .disabled, let x509 = enrollment.attestation.x509?.clientCertificates
        else { return false }
        let thumbprint = CertificateFingerprint.sha1(leaf)
        return [x509.primary, x509.secondary].contains { reference in
            reference?.certificate.flatMap(CertificateText.parse).map(CertificateFingerprint.sha1) == thumbprint
        }
    }

    private func derivedKeys(of group: EnrollmentGroup, for registrationId: String) -> [SharedAccessKey] {
        guard let keys = group.attestation.symmetricKey else { return [] }
        return [keys.primaryKey, keys.secondaryKey]
            .compactMap { $0.flatMap { try? SharedAccessKey(base64: $0) } }
            .map { $0.derived(for: registrationId) }
    }

    /// Constant-time over every candidate: no early exit on the first match or mismatching byte.
    private func matches(_ presented: SharedAccessKey, anyOf candidates: [SharedAccessKey]) -> Bool {
        let mac = blinding.sign(presented.bytes)
        var found = false
        for candidate in candidates {
            let other = blinding.sign(candidate.bytes)
            var difference: UInt8 = 0
            for (left, right) in zip(mac, other) { difference |= left ^ right }
            found = found || difference == 0
        }
        return found
    }
}
