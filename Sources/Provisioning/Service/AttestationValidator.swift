import Foundation
import AccessControl

/// Checks an enrollment's attestation and completes it: generates missing symmetric keys and adds certificate `info`.
struct AttestationValidator: Sendable {
    /// Which kind of enrollment the attestation belongs to.
    enum Owner: Sendable {
        case individualEnrollment, enrollmentGroup
    }

    let repository: any EnrollmentRepository
    let randomBytes: @Sendable (Int) -> [UInt8]
    /// Checks TPM endorsement-key certificates against the TPM attestation policy.
    var endorsementKeyCertificates = TPMEndorsementKeyCertificateCheck(policy: .none)
    /// The time certificates are checked at.
    var now: @Sendable () -> Date = { Date() }

    /// The attestation as the service stores and returns it; throws a 400 when it is unusable. `registrationId` names
    /// the individual enrollment being replaced, whose EK certificate an update with the same EK keeps.
    func prepared(_ mechanism: AttestationMechanism, for owner: Owner, registrationId: String? = nil) async throws -> AttestationMechanism {
        switch mechanism.type {
        case .symmetricKey:
            let given = mechanism.symmetricKey ?? SymmetricKeyAttestation()
            return AttestationMechanism(type: .symmetricKey, symmetricKey: SymmetricKeyAttestation(
                primaryKey: try key(given.primaryKey, field: "attestation.symmetricKey.primaryKey"),
                secondaryKey: try key(given.secondaryKey, field: "attestation.symmetricKey.secondaryKey")))
        case .tpm:
            return AttestationMechanism(type: .tpm, tpm: try await tpm(mechanism.tpm, owner: owner, registrationId: registrationId))
        case .x509:
            guard let x509 = mechanism.x509 else { throw ProvisioningError.badRequest("attestation.x509 is required for type 'x509'") }
            return AttestationMechanism(type: .x509, x509: try await prepared(x509, for: owner))
        case .none:
            throw ProvisioningError.badRequest("attestation type 'none' is not supported: use symmetricKey, x509 or tpm")
        }
    }

    /// A given key is checked (Base64 of 16–64 bytes); a missing or empty one is generated (64 random bytes).
    private func key(_ given: String?, field: String) throws(ProvisioningError) -> String {
        guard let given, !given.isEmpty else { return Data(randomBytes(64)).base64EncodedString() }
        do {
            return try SharedAccessKey(base64: given).base64
        } catch {
            throw .badRequest("\(field) must be Base64 text of 16 to 64 bytes")
        }
    }

    private func tpm(_ tpm: TPMAttestation?, owner: Owner, registrationId: String?) async throws -> TPMAttestation {
        guard owner == .individualEnrollment else { throw ProvisioningError.badRequest("enrollment groups do not support TPM attestation") }
        guard let tpm else { throw ProvisioningError.badRequest("attestation.tpm is required for type 'tpm'") }
        // Parsed now so a key the challenge math cannot use is refused here, not at the device's first register.
        let endorsementKey: TPMPublicArea
        do {
            endorsementKey = try TPMKeyProfile.endorsementKey(base64: tpm.endorsementKey, field: "attestation.tpm.endorsementKey")
            if let storageRootKey = tpm.storageRootKey, !storageRootKey.isEmpty {
                _ = try TPMKeyProfile.storageRootKey(base64: storageRootKey, field: "attestation.tpm.storageRootKey")
            }
        } catch {
            throw ProvisioningError.badRequest(error.message)
        }
        var prepared = TPMAttestation(endorsementKey: tpm.endorsementKey,
                                      storageRootKey: tpm.storageRootKey?.isEmpty == true ? nil : tpm.storageRootKey,
                                      endorsementKeyCertificate: tpm.endorsementKeyCertificate?.isEmpty == true ? nil : tpm.endorsementKeyCertificate,
                                      requireEndorsementKeyCertificate: tpm.requireEndorsementKeyCertificate)
        try await keepEndorsementKeyCertificate(of: registrationId, in: &prepared, endorsementKey: endorsementKey)
        if let problem = await endorsementKeyCertificates.problem(prepared, endorsementKey: endorsementKey, at: now(),
                                                                  field: "attestation.tpm.endorsementKeyCertificate") {
            throw ProvisioningError.badRequest(problem)
        }
        return prepared
    }

    /// An update that names the same EK but no certificate (the Azure SDKs drop members they do not model) keeps the
    /// stored certificate and flag: dropping them would silently weaken the enrollment.
    private func keepEndorsementKeyCertificate(of registrationId: String?, in attestation: inout TPMAttestation,
                                               endorsementKey: TPMPublicArea) async throws {
        guard let registrationId,
              attestation.endorsementKeyCertificate == nil || attestation.requireEndorsementKeyCertificate == nil,
              let stored = try await repository.individualEnrollment(registrationId: registrationId)?.attestation.tpm,
              (try? TPMKeyProfile.endorsementKey(base64: stored.endorsementKey)) == endorsementKey
        else { return }
        attestation.endorsementKeyCertificate = attestation.endorsementKeyCertificate ?? stored.endorsementKeyCertificate
        attestation.requireEndorsementKeyCertificate = attestation.requireEndorsementKeyCertificate ?? stored.requireEndorsementKeyCertificate
    }

    private func prepared(_ x509: X509Attestation, for owner: Owner) async throws -> X509Attestation {
        let given = [x509.clientCertificates != nil, x509.signingCertificates != nil, x509.caReferences != nil].filter { $0 }.count
        guard given == 1 else {
            throw ProvisioningError.badRequest(
                "attestation.x509 needs exactly one of clientCertificates, signingCertificates or caReferences")
        }
        switch owner {
        case .individualEnrollment:
            guard let certificates = x509.clientCertificates else {
                throw ProvisioningError.badRequest("individual enrollments attest with attestation.x509.clientCertificates")
            }
            return X509Attestation(clientCertificates: try described(certificates, field: "attestation.x509.clientCertificates"))
        case .enrollmentGroup:
            if let certificates = x509.signingCertificates {
                return X509Attestation(signingCertificates: try described(certificates, field: "attestation.x509.signingCertificates"))
            }
            guard let references = x509.caReferences else {
                throw ProvisioningError.badRequest("enrollment groups attest with attestation.x509.signingCertificates or caReferences")
            }
            return X509Attestation(caReferences: try await checked(references))
        }
    }

    /// Parses the primary (required) and secondary certificates and attaches their details.
    private func described(_ certificates: X509Certificates, field: String) throws(ProvisioningError) -> X509Certificates {
        func describe(_ entry: X509CertificateWithInfo?, _ name: String) throws(ProvisioningError) -> X509CertificateWithInfo {
            let certificate = try CertificateInput.parse(entry?.certificate, field: "\(field).\(name).certificate")
            return X509CertificateWithInfo(certificate: entry?.certificate, info: X509CertificateInfo(certificate))
        }
        let primary = try describe(certificates.primary, "primary")
        let secondary = try certificates.secondary.map { entry throws(ProvisioningError) in try describe(entry, "secondary") }
        return X509Certificates(primary: primary, secondary: secondary)
    }

    /// Every named CA must have been uploaded.
    private func checked(_ references: X509CAReferences) async throws -> X509CAReferences {
        guard let primary = references.primary, !primary.isEmpty else {
            throw ProvisioningError.badRequest("attestation.x509.caReferences.primary is required")
        }
        for (name, field) in [(primary, "primary"), (references.secondary, "secondary")] {
            guard let name, !name.isEmpty else { continue }
            guard try await repository.caCertificate(name: name) != nil else {
                throw ProvisioningError.badRequest(
                    "attestation.x509.caReferences.\(field) names no uploaded CA certificate: '\(name.prefix(140))'")
            }
        }
        return X509CAReferences(primary: primary, secondary: references.secondary?.isEmpty == true ? nil : references.secondary)
    }
}
