import ProvisioTestSupport
import Foundation
import Provisioning
import Testing

@Suite struct EnrollmentServiceQueryTests {
    @Test func enrollmentQueryPagesWithContinuationTokens() async throws {
        let fixture = ServiceFixture()
        for id in ["e", "B", "a", "d", "C"] { try await fixture.put(ServiceFixture.enrollment(id)) }
        var token: String?
        var pages: [[String]] = []
        repeat {
            let page = try await fixture.service.queryIndividualEnrollments(
                QuerySpecification(query: "*"), page: QueryPageRequest(pageSize: 2, continuationToken: token))
            pages.append(page.items.map(\.registrationId))
            #expect(page.pageSize == 2)
            token = page.continuationToken
        } while token != nil
        #expect(pages == [["a", "B"], ["C", "d"], ["e"]])
    }

    @Test func exactlyFullLastPageHasNoToken() async throws {
        let fixture = ServiceFixture()
        for id in ["a", "b"] { try await fixture.put(ServiceFixture.enrollment(id)) }
        let page = try await fixture.service.queryIndividualEnrollments(QuerySpecification(), page: QueryPageRequest(pageSize: 2))
        #expect(page.items.count == 2 && page.continuationToken == nil)
        let larger = try await fixture.service.queryIndividualEnrollments(QuerySpecification(), page: QueryPageRequest(pageSize: 3))
        #expect(larger.items.count == 2 && larger.continuationToken == nil)
    }

    @Test func pageSizeDefaultsAndLimits() async throws {
        let fixture = ServiceFixture()
        let defaulted = try await fixture.service.queryIndividualEnrollments(QuerySpecification(), page: QueryPageRequest())
        #expect(defaulted.pageSize == 100)
        let clamped = try await fixture.service.queryIndividualEnrollments(QuerySpecification(), page: QueryPageRequest(pageSize: 5000))
        #expect(clamped.pageSize == 1000)
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.queryIndividualEnrollments(QuerySpecification(), page: QueryPageRequest(pageSize: 0))
        }
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.queryIndividualEnrollments(QuerySpecification(), page: QueryPageRequest(continuationToken: "%%%"))
        }
    }

    @Test(arguments: ["*", " select *  FROM enrollments ", "SELECT * FROM ENROLLMENTS"])
    func supportedQueries(text: String) async throws {
        let fixture = ServiceFixture()
        try await fixture.put(ServiceFixture.enrollment("q"))
        let page = try await fixture.service.queryIndividualEnrollments(QuerySpecification(query: text), page: QueryPageRequest())
        #expect(page.items.map(\.registrationId) == ["q"])
    }

    @Test(arguments: ["SELECT * FROM enrollments WHERE x = 1", "SELECT registrationId FROM enrollments", "SELECT * FROM enrollmentGroups"])
    func unsupportedQueriesAreRefused(text: String) async throws {
        let fixture = ServiceFixture()
        await expectProvisioningError(status: 400) {
            _ = try await fixture.service.queryIndividualEnrollments(QuerySpecification(query: text), page: QueryPageRequest())
        }
    }

    @Test func groupQueryPages() async throws {
        let fixture = ServiceFixture()
        for id in ["g3", "g1", "g2"] {
            _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: id, ServiceFixture.group(id), ifMatch: nil)
        }
        let first = try await fixture.service.queryEnrollmentGroups(QuerySpecification(query: "SELECT * FROM enrollmentGroups"),
                                                                    page: QueryPageRequest(pageSize: 2))
        #expect(first.items.map(\.enrollmentGroupId) == ["g1", "g2"])
        let second = try await fixture.service.queryEnrollmentGroups(
            QuerySpecification(), page: QueryPageRequest(pageSize: 2, continuationToken: first.continuationToken))
        #expect(second.items.map(\.enrollmentGroupId) == ["g3"] && second.continuationToken == nil)
    }

    @Test func registrationStates() async throws {
        let fixture = ServiceFixture()
        _ = try await fixture.service.createOrUpdateEnrollmentGroup(id: "grp", ServiceFixture.group("grp"), ifMatch: nil)
        for (id, group) in [("r3", "grp"), ("r1", "grp"), ("r2", "GRP"), ("solo", nil)] {
            var state = DeviceRegistrationState(registrationId: id, status: .assigned)
            state.etag = "\"etag-\(id)\""
            try await fixture.repository.saveRegistration(RegistrationRecord(state: state, operationId: "op-\(id)", hubName: "hub1",
                                                                             enrollmentGroupId: group))
        }
        #expect(try await fixture.service.registrationState(registrationId: "R1").etag == "\"etag-r1\"")
        let first = try await fixture.service.queryRegistrationStates(enrollmentGroupId: "grp", page: QueryPageRequest(pageSize: 2))
        #expect(first.items.map(\.registrationId) == ["r1", "r2"])
        let rest = try await fixture.service.queryRegistrationStates(
            enrollmentGroupId: "grp", page: QueryPageRequest(pageSize: 2, continuationToken: first.continuationToken))
        #expect(rest.items.map(\.registrationId) == ["r3"] && rest.continuationToken == nil)
        await expectProvisioningError(status: 404) {
            _ = try await fixture.service.queryRegistrationStates(enrollmentGroupId: "nope", page: QueryPageRequest())
        }

        await expectProvisioningError(status: 412) { try await fixture.service.deleteRegistrationState(registrationId: "r1", ifMatch: "\"x\"") }
        try await fixture.service.deleteRegistrationState(registrationId: "r1", ifMatch: "\"etag-r1\"")
        await expectProvisioningError(status: 404) { _ = try await fixture.service.registrationState(registrationId: "r1") }
        await expectProvisioningError(status: 404) { try await fixture.service.deleteRegistrationState(registrationId: "r1", ifMatch: nil) }
    }
}
