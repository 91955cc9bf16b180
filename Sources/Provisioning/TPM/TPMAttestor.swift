import Foundation
import AccessControl

/// TPM attestation as DPS does it over HTTPS: a `register` with the TPM's keys and no credential gets a challenge (an
/// identity key only that TPM can import); the repeated `register` carries a SAS the TPM signed with that key. The
/// device's hub key travels wrapped the same way, and the hub sees it as an ordinary symmetric key.
public struct TPMAttestor: Sendable {
    let repository: any EnrollmentRepository
    let idScope: String
    let challenges: TPMChallengeStore
    let randomBytes: @Sendable (Int) -> [UInt8]
    let endorsementKeyCertificates: TPMEndorsementKeyCertificateCheck

    /// Creates an attestor for one ID scope; `randomBytes` makes keys and wrapping randomness (injected for tests),
    /// `policy` says which EK certificates are required and trusted (checked again at every registration).
    public init(repository: any EnrollmentRepository, idScope: String, challenges: TPMChallengeStore = TPMChallengeStore(),
                randomBytes: @escaping @Sendable (Int) -> [UInt8] = EnrollmentService.systemRandomBytes,
                policy: TPMAttestationPolicy = .none) {
        self.repository = repository
        self.idScope = idScope
        self.challenges = challenges
        self.randomBytes = randomBytes
        self.endorsementKeyCertificates = TPMEndorsementKeyCertificateCheck(policy: policy)
    }

    /// Whether `registrationId` has an individual enrollment with TPM attestation (its SAS is then the TPM's).
    public func isTPMEnrollment(registrationId: String) async throws -> Bool {
        try await repository.individualEnrollment(registrationId: registrationId)?.attestation.type == .tpm
    }

    /// The challenge for a device presenting `endorsementKey` and `storageRootKey` (Base64 `TPM2B_PUBLIC`): the
    /// `authenticationKey` blob. Only an enabled TPM enrollment holding exactly this EK gets one; anything else is
    /// `unauthorized`, malformed keys are `badRequest`; `throttled` when the registration already holds as many pending
    /// challenges from other sources as the store keeps (see ``TPMChallengeStore``). `source` is the client's address.
    public func challenge(registrationId: String, endorsementKey: String, storageRootKey: String?, source: String = "unknown",
                          now: Date) async throws -> TPMAuthenticationKey {
        let enrollment = try await enabledEnrollment(registrationId)
        let presented: TPMPublicArea
        do {
            presented = try TPMKeyProfile.endorsementKey(base64: endorsementKey, field: "tpm.endorsementKey")
        } catch {
            throw ProvisioningError.badRequest(error.message)
        }
        guard let enrolled = enrollment.attestation.tpm.flatMap({ try? TPMKeyProfile.endorsementKey(base64: $0.endorsementKey) }),
              enrolled == presented
        else { throw ProvisioningError.unauthorized("the endorsement key is not the one enrolled for \(registrationId)") }
        try await checkEndorsementKeyCertificate(enrollment, endorsementKey: enrolled, now: now)
        let storageRoot = try self.storageRootKey(presented: storageRootKey, enrolled: enrollment.attestation.tpm?.storageRootKey)
        let identityKey = randomBytes(32)
        let blob: TPMAuthenticationKey
        do {
            blob = try TPMAuthenticationKey(wrapping: identityKey, endorsementKey: enrolled, storageRootKey: storageRoot, randomBytes: randomBytes)
        } catch {
            throw ProvisioningError.badRequest(error.message)
        }
        guard await challenges.record(registrationId: registrationId, key: identityKey, storageRootKey: storageRoot,
                                      source: source, now: now)
        else { throw ProvisioningError.throttled("too many pending TPM challenges for \(registrationId); retry later") }
        return blob
    }

    /// Checks a SAS the TPM signed with a key from an earlier challenge (polls and status lookups); returns the enrollment.
    public func authenticate(registrationId: String, token: String, now: Date) async throws -> IndividualEnrollment {
        try await verified(registrationId: registrationId, token: token, now: now).enrollment
    }

    /// Checks the SAS like `authenticate`, then makes the device's hub key and wraps it for the same TPM: the hub
    /// identity uses it as its symmetric key, the registration result carries the wrapped form.
    public func attest(registrationId: String, token: String, now: Date) async throws -> AttestedDevice {
        let (enrollment, issued) = try await verified(registrationId: registrationId, token: token, now: now)
        guard let endorsementKey = enrollment.attestation.tpm.flatMap({ try? TPMKeyProfile.endorsementKey(base64: $0.endorsementKey) }) else {
            throw ProvisioningError.unauthorized("enrollment \(registrationId) holds no usable endorsement key")
        }
        try await checkEndorsementKeyCertificate(enrollment, endorsementKey: endorsementKey, now: now)
        let hubKey = SharedAccessKey(bytes: randomBytes(32))
        let wrapped: TPMAuthenticationKey
        do {
            wrapped = try TPMAuthenticationKey(wrapping: hubKey.bytes, endorsementKey: endorsementKey,
                                               storageRootKey: issued.storageRootKey, randomBytes: randomBytes)
        } catch {
            throw ProvisioningError.badRequest(error.message)
        }
        return AttestedDevice(registrationId: enrollment.registrationId, source: .individual(enrollment),
                              hubAuthentication: .symmetricKey(primaryKey: hubKey.base64, secondaryKey: hubKey.base64),
                              tpmResult: TPMRegistrationResult(authenticationKey: wrapped.base64))
    }

    private func verified(registrationId: String, token: String, now: Date) async throws -> (enrollment: IndividualEnrollment, issued: TPMChallengeStore.Issued) {
        let enrollment = try await enabledEnrollment(registrationId)
        let signature: SharedAccessSignature
        do {
            signature = try SharedAccessSignature(parsing: token)
        } catch {
            throw ProvisioningError.unauthorized("malformed SAS token")
        }
        let issued = await challenges.keys(registrationId: registrationId, now: now)
        guard let match = issued.first(where: { signature.isSigned(with: SharedAccessKey(bytes: $0.key)) }) else {
            throw ProvisioningError.unauthorized("the token is not signed by a key this TPM imported; repeat the TPM challenge")
        }
        do {
            try signature.validate(keys: [SharedAccessKey(bytes: match.key)], now: now, requiredScope: "\(idScope)/registrations/\(registrationId)")
        } catch {
            throw ProvisioningError.unauthorized(error.message)
        }
        await challenges.markProven(registrationId: registrationId, key: match.key)
        return (enrollment, match)
    }

    /// The EK certificate rules apply at registration too: the policy or the CAs may have changed since the
    /// enrollment was stored, and certificates expire.
    private func checkEndorsementKeyCertificate(_ enrollment: IndividualEnrollment, endorsementKey: TPMPublicArea, now: Date) async throws {
        guard let tpm = enrollment.attestation.tpm,
              let problem = await endorsementKeyCertificates.problem(tpm, endorsementKey: endorsementKey, at: now,
                                                                     field: "the enrollment's endorsementKeyCertificate")
        else { return }
        throw ProvisioningError.unauthorized(problem)
    }

    private func enabledEnrollment(_ registrationId: String) async throws -> IndividualEnrollment {
        guard let enrollment = try await repository.individualEnrollment(registrationId: registrationId),
              enrollment.attestation.type == .tpm
        else { throw ProvisioningError.unauthorized("no TPM enrollment for \(registrationId)") }
        guard enrollment.provisioningStatus != .disabled else {
            throw ProvisioningError.unauthorized("enrollment \(registrationId) is disabled")
        }
        return enrollment
    }

    /// The SRK to wrap for: the presented one, which must equal the enrolled one when the enrollment names one.
    private func storageRootKey(presented: String?, enrolled: String?) throws -> TPMPublicArea {
        // Checked when the enrollment was stored.
        let enrolledKey = enrolled.flatMap { try? TPMKeyProfile.storageRootKey(base64: $0) }
        guard let presented, !presented.isEmpty else {
            guard let enrolledKey else { throw ProvisioningError.badRequest("tpm.storageRootKey is required") }
            return enrolledKey
        }
        let key: TPMPublicArea
        do {
            key = try TPMKeyProfile.storageRootKey(base64: presented, field: "tpm.storageRootKey")
        } catch {
            throw ProvisioningError.badRequest(error.message)
        }
        if let enrolledKey, enrolledKey != key {
            throw ProvisioningError.unauthorized("the storage root key is not the one enrolled")
        }
        return key
    }
}
