extension EnrollmentService {
    /// Applies `operation` to each enrollment independently; failures are reported per registration id, not thrown.
    public func runBulkOperation(_ operation: BulkEnrollmentOperation) async throws -> BulkEnrollmentOperationResult {
        guard operation.enrollments.count <= maximumBulkOperationSize else {
            throw ProvisioningError.badRequest("a bulk operation may carry at most \(maximumBulkOperationSize) enrollments")
        }
        var errors: [BulkEnrollmentOperationResult.ItemError] = []
        for enrollment in operation.enrollments {
            do {
                try await apply(operation.mode, to: enrollment)
            } catch let error as ProvisioningError {
                errors.append(.init(registrationId: enrollment.registrationId, errorCode: error.errorCode, errorStatus: error.message))
            }
        }
        return BulkEnrollmentOperationResult(isSuccessful: errors.isEmpty, errors: errors)
    }

    private func apply(_ mode: BulkEnrollmentOperation.Mode, to enrollment: IndividualEnrollment) async throws {
        let id = enrollment.registrationId
        switch mode {
        case .create:
            try RegistrationIdentifier.validate(id)
            guard try await repository.individualEnrollment(registrationId: id) == nil else {
                throw ProvisioningError.conflict("an enrollment with registration id '\(id.prefix(140))' already exists")
            }
            _ = try await createOrUpdateIndividualEnrollment(registrationId: id, enrollment, ifMatch: nil)
        case .update:
            _ = try await createOrUpdateIndividualEnrollment(registrationId: id, enrollment, ifMatch: nil)
        case .updateIfMatchETag:
            guard let etag = enrollment.etag, !etag.isEmpty else {
                throw ProvisioningError.badRequest("mode 'updateIfMatchETag' needs the enrollment's etag")
            }
            _ = try await createOrUpdateIndividualEnrollment(registrationId: id, enrollment, ifMatch: etag)
        case .delete:
            try await deleteIndividualEnrollment(registrationId: id, ifMatch: nil)
        }
    }
}
