/// What an attestation's outcome rests on in the enrollment store: the admitting enrollment's version (its etag and
/// status) and whether the registration id has an individual enrollment (which would take precedence over a group).
/// Any write to the enrollment — disable, delete, re-key, any update — gives it a new etag, so when the basis reads
/// the same later, the same credential would be admitted through the same enrollment: an open session need not
/// repeat the key lookup and signature checks, only the credential's expiry.
public struct AttestationBasis: Sendable, Equatable {
    /// The admitting enrollment's etag; nil when it is gone.
    public var enrollmentETag: String?
    /// Whether the admitting enrollment is enabled.
    public var enabled: Bool
    /// Whether the registration id has an individual enrollment.
    public var hasIndividualEnrollment: Bool

    /// Creates a basis.
    public init(enrollmentETag: String?, enabled: Bool, hasIndividualEnrollment: Bool) {
        self.enrollmentETag = enrollmentETag
        self.enabled = enabled
        self.hasIndividualEnrollment = hasIndividualEnrollment
    }

    /// The basis as the attestation of `device` saw it.
    public init(attested device: AttestedDevice) {
        switch device.source {
        case .individual(let enrollment):
            self.init(enrollmentETag: enrollment.etag, enabled: enrollment.provisioningStatus != .disabled, hasIndividualEnrollment: true)
        case .group(let group):
            self.init(enrollmentETag: group.etag, enabled: group.provisioningStatus != .disabled, hasIndividualEnrollment: false)
        }
    }
}

extension EnrollmentRepository {
    /// The current basis of `device`'s attestation; stores answer it with one short read.
    public func attestationBasis(of device: AttestedDevice) async throws -> AttestationBasis {
        let individual = try await individualEnrollment(registrationId: device.registrationId)
        switch device.source {
        case .individual:
            return AttestationBasis(enrollmentETag: individual?.etag, enabled: individual.map { $0.provisioningStatus != .disabled } ?? false,
                                    hasIndividualEnrollment: individual != nil)
        case .group(let attested):
            let group = try await enrollmentGroup(id: attested.enrollmentGroupId)
            return AttestationBasis(enrollmentETag: group?.etag, enabled: group.map { $0.provisioningStatus != .disabled } ?? false,
                                    hasIndividualEnrollment: individual != nil)
        }
    }
}
