import Foundation
import AccessControl

/// Checks a device's DPS SAS token against its individual enrollment's keys, else the derived keys of
/// every enabled symmetric-key group.
public struct SymmetricKeyAttestor: Sendable {
    let repository: any EnrollmentRepository
    let idScope: String

    /// Creates an attestor for one ID scope.
    public init(repository: any EnrollmentRepository, idScope: String) {
        self.repository = repository
        self.idScope = idScope
    }

    /// Returns the attested device or throws `ProvisioningError.unauthorized` (never saying which check failed
    /// in a way that helps guess keys).
    public func attest(registrationId: String, token: String, now: Date) async throws -> AttestedDevice {
        let lookup = try await repository.enrollmentLookup(registrationId: registrationId, groups: .symmetricKey)
        return try attest(registrationId: registrationId, token: token, lookup: lookup, now: now)
    }

    /// Attests against enrollments the caller already looked up (`EnrollmentRepository.enrollmentLookup` with
    /// `.symmetricKey` groups).
    public func attest(registrationId: String, token: String, lookup: EnrollmentLookup, now: Date) throws -> AttestedDevice {
        let signature: SharedAccessSignature
        do {
            signature = try SharedAccessSignature(parsing: token)
        } catch {
            throw ProvisioningError.unauthorized("malformed SAS token")
        }
        let scope = "\(idScope)/registrations/\(registrationId)"
        if let enrollment = lookup.individual {
            guard enrollment.provisioningStatus != .disabled else {
                throw ProvisioningError.unauthorized("enrollment \(registrationId) is disabled")
            }
            guard enrollment.attestation.type == .symmetricKey, let keys = enrollment.attestation.symmetricKey,
                  let primary = keys.primaryKey, let secondary = keys.secondaryKey
            else { throw ProvisioningError.unauthorized("enrollment \(registrationId) does not use symmetric keys") }
            try check(signature, keys: [primary, secondary], now: now, scope: scope)
            return AttestedDevice(registrationId: registrationId, source: .individual(enrollment),
                                  hubAuthentication: .symmetricKey(primaryKey: primary, secondaryKey: secondary),
                                  symmetricKeyResult: SymmetricKeyRegistrationResult(enrollmentGroupId: nil))
        }
        for group in lookup.groups {
            guard let keys = group.attestation.symmetricKey,
                  let primary = try? SharedAccessKey(base64: keys.primaryKey ?? ""),
                  let secondary = try? SharedAccessKey(base64: keys.secondaryKey ?? "")
            else { continue }
            let derived = [primary.derived(for: registrationId), secondary.derived(for: registrationId)]
            guard derived.contains(where: { signature.isSigned(with: $0) }) else { continue }
            try check(signature, keys: derived.map(\.base64), now: now, scope: scope)
            return AttestedDevice(registrationId: registrationId, source: .group(group),
                                  hubAuthentication: .symmetricKey(primaryKey: derived[0].base64, secondaryKey: derived[1].base64),
                                  symmetricKeyResult: SymmetricKeyRegistrationResult(enrollmentGroupId: group.enrollmentGroupId))
        }
        throw ProvisioningError.unauthorized("no enrollment accepts this credential")
    }

    private func check(_ signature: SharedAccessSignature, keys: [String], now: Date, scope: String) throws {
        let parsed = keys.compactMap { try? SharedAccessKey(base64: $0) }
        do {
            try signature.validate(keys: parsed, now: now, requiredScope: scope)
        } catch {
            throw ProvisioningError.unauthorized(error.message)
        }
    }
}
