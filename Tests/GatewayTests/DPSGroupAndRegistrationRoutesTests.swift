import ProvisioTestSupport
import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Provisioning
import Testing

@Suite struct DPSGroupAndRegistrationRoutesTests {
    let groupBody = #"{"enrollmentGroupId": "grp", "attestation": {"type": "symmetricKey", "symmetricKey": {}}, "provisioningStatus": "enabled"}"#

    @Test func groupLifecycle() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            let created = try await client.execute(uri: "/enrollmentGroups/grp" + apiVersion, method: .put,
                                                   headers: fixture.headers(), body: .json(groupBody))
            #expect(created.status == .ok)
            let group = try created.decode(EnrollmentGroup.self)
            #expect(group.enrollmentGroupId == "grp" && group.attestation.symmetricKey?.primaryKey != nil)

            let fetched = try await client.execute(uri: "/enrollmentGroups/grp" + apiVersion, method: .get, headers: fixture.headers())
            #expect(try fetched.decode(EnrollmentGroup.self) == group)
            let attestation = try await client.execute(uri: "/enrollmentGroups/grp/attestationmechanism" + apiVersion, method: .post,
                                                       headers: fixture.headers())
            #expect(try attestation.decode(AttestationMechanism.self) == group.attestation)

            let query = try await client.execute(uri: "/enrollmentGroups/query" + apiVersion, method: .post, headers: fixture.headers(),
                                                 body: .json(#"{"query": "*"}"#))
            #expect(query.status == .ok && query.headers[.msItemTypeTest] == "EnrollmentGroup")
            #expect(try query.decode([EnrollmentGroup].self).map(\.enrollmentGroupId) == ["grp"])

            let stale = try await client.execute(uri: "/enrollmentGroups/grp", method: .put,
                                                 headers: fixture.headers(ifMatch: "\"stale\""), body: .json(groupBody))
            try expectServiceError(stale, status: .preconditionFailed)
            let deleted = try await client.execute(uri: "/enrollmentGroups/grp" + apiVersion, method: .delete, headers: fixture.headers())
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "/enrollmentGroups/grp", method: .get, headers: fixture.headers())
            try expectServiceError(gone, status: .notFound, errorCode: 404_202)
        }
    }

    @Test func groupValidationErrorsAre400() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            let tpm = #"{"enrollmentGroupId": "grp", "attestation": {"type": "tpm", "tpm": {"endorsementKey": "AAAA"}}}"#
            try expectServiceError(try await client.execute(uri: "/enrollmentGroups/grp", method: .put, headers: fixture.headers(),
                                                            body: .json(tpm)), status: .badRequest)
            let staticTwoHubs = #"{"enrollmentGroupId": "grp", "attestation": {"type": "symmetricKey"}, "allocationPolicy": "static", "iotHubs": ["hub1.provisio.test", "hub2.provisio.test"]}"#
            try expectServiceError(try await client.execute(uri: "/enrollmentGroups/grp", method: .put, headers: fixture.headers(),
                                                            body: .json(staticTwoHubs)), status: .badRequest)
            let caReference = #"{"enrollmentGroupId": "grp", "attestation": {"type": "x509", "x509": {"caReferences": {"primary": "nope"}}}}"#
            try expectServiceError(try await client.execute(uri: "/enrollmentGroups/grp", method: .put, headers: fixture.headers(),
                                                            body: .json(caReference)), status: .badRequest)
        }
    }

    @Test func registrationStates() async throws {
        let fixture = ServiceAPIFixture()
        let state = {
            var state = DeviceRegistrationState(registrationId: "dev1", status: .assigned)
            state.assignedHub = "hub1.provisio.test"
            state.deviceId = "dev1"
            state.etag = "\"reg-etag\""
            return state
        }()
        try await fixture.repository.saveRegistration(RegistrationRecord(state: state, operationId: "op1", hubName: "hub1",
                                                                         enrollmentGroupId: "grp"))
        try await fixture.test { client in
            _ = try await client.execute(uri: "/enrollmentGroups/grp", method: .put, headers: fixture.headers(), body: .json(groupBody))
            let fetched = try await client.execute(uri: "/registrations/dev1" + apiVersion, method: .get, headers: fixture.headers())
            #expect(fetched.status == .ok)
            #expect(try fetched.decode(DeviceRegistrationState.self) == state)

            let query = try await client.execute(uri: "/registrations/grp/query" + apiVersion, method: .post, headers: fixture.headers())
            #expect(query.status == .ok && query.headers[.msItemTypeTest] == "DeviceRegistration")
            #expect(try query.decode([DeviceRegistrationState].self) == [state])
            let unknownGroup = try await client.execute(uri: "/registrations/nope/query", method: .post, headers: fixture.headers())
            try expectServiceError(unknownGroup, status: .notFound)

            let stale = try await client.execute(uri: "/registrations/dev1", method: .delete, headers: fixture.headers(ifMatch: "\"old\""))
            try expectServiceError(stale, status: .preconditionFailed)
            let deleted = try await client.execute(uri: "/registrations/dev1" + apiVersion, method: .delete,
                                                   headers: fixture.headers(ifMatch: "\"reg-etag\""))
            #expect(deleted.status == .noContent)
            let gone = try await client.execute(uri: "/registrations/dev1", method: .get, headers: fixture.headers())
            try expectServiceError(gone, status: .notFound)
        }
    }
}
