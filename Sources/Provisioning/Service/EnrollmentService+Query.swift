extension EnrollmentService {
    /// A page of individual enrollments ordered by registration id.
    public func queryIndividualEnrollments(
        _ query: QuerySpecification, page: QueryPageRequest
    ) async throws -> QueryPage<IndividualEnrollment> {
        guard query.selectsAll(from: ["enrollments"]) else { throw Self.unsupportedQuery("enrollments") }
        let size = try page.effectivePageSize()
        let fetched = try await repository.individualEnrollments(after: try page.cursor(), limit: size + 1)
        return QueryPageRequest.page(fetched, pageSize: size) { $0.registrationId }
    }

    /// A page of enrollment groups ordered by id.
    public func queryEnrollmentGroups(_ query: QuerySpecification, page: QueryPageRequest) async throws -> QueryPage<EnrollmentGroup> {
        guard query.selectsAll(from: ["enrollmentGroups"]) else { throw Self.unsupportedQuery("enrollmentGroups") }
        let size = try page.effectivePageSize()
        let fetched = try await repository.enrollmentGroups(after: try page.cursor(), limit: size + 1)
        return QueryPageRequest.page(fetched, pageSize: size) { $0.enrollmentGroupId }
    }

    /// A page of the registration states of devices that came through group `enrollmentGroupId`; 404 for an unknown group.
    public func queryRegistrationStates(
        enrollmentGroupId: String, page: QueryPageRequest
    ) async throws -> QueryPage<DeviceRegistrationState> {
        guard try await repository.enrollmentGroup(id: enrollmentGroupId) != nil else { throw Self.groupNotFound(enrollmentGroupId) }
        let size = try page.effectivePageSize()
        let cursor = try page.cursor()?.lowercased()
        let states = try await repository.registrations(enrollmentGroupId: enrollmentGroupId)
            .map(\.state)
            .sorted { $0.registrationId.lowercased() < $1.registrationId.lowercased() }
            .filter { cursor == nil || $0.registrationId.lowercased() > cursor! }
        return QueryPageRequest.page(Array(states.prefix(size + 1)), pageSize: size) { $0.registrationId }
    }

    /// A device's registration state; 404 when the device never registered.
    public func registrationState(registrationId: String) async throws -> DeviceRegistrationState {
        guard let record = try await repository.registration(registrationId: registrationId) else {
            throw Self.registrationNotFound(registrationId)
        }
        return record.state
    }

    /// Deletes a device's registration state, so its next registration counts as initial.
    public func deleteRegistrationState(registrationId: String, ifMatch: String?) async throws {
        let current = try await repository.registration(registrationId: registrationId)
        guard current != nil else { throw Self.registrationNotFound(registrationId) }
        let expected = try expectedETag(ifMatch, current: current?.state.etag, what: "registration", id: registrationId)
        try await repository.deleteRegistration(registrationId: registrationId, expectedETag: expected)
    }

    static func registrationNotFound(_ id: String) -> ProvisioningError {
        .notFound("no registration state for registration id '\(id.prefix(140))'", detail: 203)
    }

    static func unsupportedQuery(_ collection: String) -> ProvisioningError {
        .badRequest("only '*' or 'SELECT * FROM \(collection)' queries are supported")
    }
}
