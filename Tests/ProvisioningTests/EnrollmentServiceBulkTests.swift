import ProvisioTestSupport
import Foundation
import Provisioning
import Testing

@Suite struct EnrollmentServiceBulkTests {
    @Test func createThenCreateAgainReportsConflicts() async throws {
        let fixture = ServiceFixture()
        let batch = [ServiceFixture.enrollment("b1"), ServiceFixture.enrollment("b2")]
        let created = try await fixture.service.runBulkOperation(BulkEnrollmentOperation(enrollments: batch, mode: .create))
        #expect(created == BulkEnrollmentOperationResult(isSuccessful: true, errors: []))
        #expect(await fixture.repository.individualEnrollmentCount() == 2)
        let again = try await fixture.service.runBulkOperation(BulkEnrollmentOperation(enrollments: batch, mode: .create))
        #expect(!again.isSuccessful)
        #expect(again.errors.map(\.registrationId) == ["b1", "b2"])
        #expect(again.errors.allSatisfy { $0.errorCode == 409_000 && !$0.errorStatus.isEmpty })
    }

    @Test func invalidItemsFailAloneAndOthersSucceed() async throws {
        let fixture = ServiceFixture()
        let batch = [ServiceFixture.enrollment("ok-1"), ServiceFixture.enrollment("bad id"),
                     ServiceFixture.enrollment("bad-key", keys: .init(primaryKey: "short"))]
        let result = try await fixture.service.runBulkOperation(BulkEnrollmentOperation(enrollments: batch, mode: .update))
        #expect(!result.isSuccessful)
        #expect(result.errors.map(\.registrationId) == ["bad id", "bad-key"])
        #expect(result.errors.allSatisfy { $0.errorCode / 1000 == 400 })
        #expect(await fixture.repository.individualEnrollment(registrationId: "ok-1") != nil)
    }

    @Test func updateIfMatchETagAndDelete() async throws {
        let fixture = ServiceFixture()
        let stored = try await fixture.put(ServiceFixture.enrollment("m1"))
        var stale = stored
        stale.etag = "\"stale\""
        var noETag = stored
        noETag.etag = nil
        let result = try await fixture.service.runBulkOperation(BulkEnrollmentOperation(enrollments: [stored, stale, noETag],
                                                                                        mode: .updateIfMatchETag))
        #expect(result.errors.map(\.errorCode) == [412_002, 400_004])
        let deleted = try await fixture.service.runBulkOperation(BulkEnrollmentOperation(
            enrollments: [stored, ServiceFixture.enrollment("never")], mode: .delete))
        #expect(deleted.errors.map(\.registrationId) == ["never"] && deleted.errors.first?.errorCode == 404_201)
        #expect(await fixture.repository.individualEnrollment(registrationId: "m1") == nil)
    }

    @Test func oversizedBatchIsRefused() async throws {
        let fixture = ServiceFixture(bulkLimit: 2)
        let batch = (1...3).map { ServiceFixture.enrollment("b\($0)") }
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.runBulkOperation(BulkEnrollmentOperation(enrollments: batch, mode: .create))
        }
    }
}
