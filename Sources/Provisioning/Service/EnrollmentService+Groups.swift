extension EnrollmentService {
    /// Creates or replaces the group `id` (PUT semantics, as for individual enrollments).
    public func createOrUpdateEnrollmentGroup(id: String, _ group: EnrollmentGroup, ifMatch: String?) async throws -> EnrollmentGroup {
        try EnrollmentValidator.validateIdentifier(id, name: "enrollmentGroupId")
        guard group.enrollmentGroupId.lowercased() == id.lowercased() else {
            throw ProvisioningError.badRequest("the body's enrollmentGroupId does not match the one in the path")
        }
        var stored = try await validated(group)
        let existing = try await repository.enrollmentGroup(id: id)
        let expected = try expectedETag(ifMatch, current: existing?.etag, what: "enrollment group", id: id)
        let version = newVersion(created: existing?.createdDateTimeUtc)
        (stored.etag, stored.createdDateTimeUtc, stored.lastUpdatedDateTimeUtc) = (version.etag, version.created, version.updated)
        try await repository.saveEnrollmentGroup(stored, expectedETag: expected)
        return stored
    }

    /// The group; 404 when absent.
    public func enrollmentGroup(id: String) async throws -> EnrollmentGroup {
        guard let group = try await repository.enrollmentGroup(id: id) else { throw Self.groupNotFound(id) }
        return group
    }

    /// Deletes the group (registration states of its devices stay).
    public func deleteEnrollmentGroup(id: String, ifMatch: String?) async throws {
        let current = try await repository.enrollmentGroup(id: id)
        guard current != nil else { throw Self.groupNotFound(id) }
        let expected = try expectedETag(ifMatch, current: current?.etag, what: "enrollment group", id: id)
        try await repository.deleteEnrollmentGroup(id: id, expectedETag: expected)
    }

    /// The group's attestation including its keys.
    public func enrollmentGroupAttestation(id: String) async throws -> AttestationMechanism {
        try await enrollmentGroup(id: id).attestation
    }

    /// Checks and completes a group before it is stored.
    func validated(_ group: EnrollmentGroup) async throws -> EnrollmentGroup {
        var stored = group
        try EnrollmentValidator.validateIdentifier(stored.enrollmentGroupId, name: "enrollmentGroupId")
        stored.initialTwin = try EnrollmentValidator.validatedTwin(stored.initialTwin)
        try validator.validateAllocation(policy: stored.allocationPolicy, iotHubs: stored.iotHubs,
                                         iotHubHostName: stored.iotHubHostName, custom: stored.customAllocationDefinition)
        stored.attestation = try await attestation.prepared(stored.attestation, for: .enrollmentGroup)
        stored.provisioningStatus = stored.provisioningStatus ?? .enabled
        stored.reprovisionPolicy = stored.reprovisionPolicy ?? ReprovisionPolicy()
        return stored
    }
}
