import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Provisioning
import Testing

@Suite struct DPSEnrollmentRoutesTests {
    // The body `create_or_update(IndividualEnrollment.create("dev1", attestation))` sends.
    let sdkBody = #"{"registrationId": "dev1", "attestation": {"type": "symmetricKey", "symmetricKey": {}}, "provisioningStatus": "enabled"}"#

    @Test func putGetAttestationDelete() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            let created = try await client.execute(uri: "/enrollments/dev1" + apiVersion, method: .put,
                                                   headers: fixture.headers(), body: .json(sdkBody))
            #expect(created.status == .ok)
            #expect(created.headers[.contentType]?.hasPrefix("application/json") == true)
            #expect(!created.text.contains("null"), "nil members are omitted")
            let enrollment = try created.decode(IndividualEnrollment.self)
            #expect(enrollment.registrationId == "dev1" && enrollment.provisioningStatus == .enabled)
            #expect(enrollment.etag?.hasPrefix("\"") == true && enrollment.etag?.hasSuffix("\"") == true)
            #expect(enrollment.createdDateTimeUtc == "2027-01-15T08:00:00.0000000Z")
            #expect(enrollment.reprovisionPolicy == ReprovisionPolicy())
            let primaryKey = try #require(enrollment.attestation.symmetricKey?.primaryKey)

            let fetched = try await client.execute(uri: "/enrollments/dev1" + apiVersion, method: .get, headers: fixture.headers())
            #expect(fetched.status == .ok)
            #expect(try fetched.decode(IndividualEnrollment.self) == enrollment)

            let attestation = try await client.execute(uri: "/enrollments/dev1/attestationmechanism" + apiVersion, method: .post,
                                                       headers: fixture.headers())
            #expect(attestation.status == .ok)
            #expect(try attestation.decode(AttestationMechanism.self).symmetricKey?.primaryKey == primaryKey)

            let deleted = try await client.execute(uri: "/enrollments/dev1" + apiVersion, method: .delete,
                                                   headers: fixture.headers(ifMatch: enrollment.etag))
            #expect(deleted.status == .noContent && deleted.body.readableBytes == 0)
            let gone = try await client.execute(uri: "/enrollments/dev1" + apiVersion, method: .get, headers: fixture.headers())
            try expectServiceError(gone, status: .notFound, errorCode: 404_201)
        }
    }

    @Test func etagMismatchIs412() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            let created = try await client.execute(uri: "/enrollments/dev1", method: .put, headers: fixture.headers(), body: .json(sdkBody))
            let etag = try #require(try created.decode(IndividualEnrollment.self).etag)
            let updated = try await client.execute(uri: "/enrollments/dev1", method: .put, headers: fixture.headers(ifMatch: etag),
                                                   body: .json(sdkBody))
            #expect(updated.status == .ok)
            let stale = try await client.execute(uri: "/enrollments/dev1", method: .put, headers: fixture.headers(ifMatch: etag),
                                                 body: .json(sdkBody))
            try expectServiceError(stale, status: .preconditionFailed, errorCode: 412_002)
            let staleDelete = try await client.execute(uri: "/enrollments/dev1", method: .delete, headers: fixture.headers(ifMatch: etag))
            try expectServiceError(staleDelete, status: .preconditionFailed)
        }
    }

    @Test func unknownIdsAre404() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            for (uri, method) in [("/enrollments/nope", HTTPRequest.Method.get), ("/enrollments/nope", .delete),
                                  ("/enrollments/nope/attestationmechanism", .post)] {
                try expectServiceError(try await client.execute(uri: uri, method: method, headers: fixture.headers()), status: .notFound)
            }
        }
    }

    @Test(arguments: [
        ("{not json", "not valid JSON"),
        (#"{"registrationId": "dev1"}"#, "'attestation' is required"),
        (#"{"registrationId": "dev1", "attestation": {"type": "bogus"}}"#, "'attestation.type' has an invalid value"),
        (#"{"registrationId": 5, "attestation": {"type": "symmetricKey"}}"#, "'registrationId' has the wrong JSON type"),
        (#"[1, 2]"#, "wrong JSON type"),
        ("", "a JSON request body is required"),
        (#"{"registrationId": "dev1", "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": "abc"}}}"#,
         "primaryKey must be Base64 text of 16 to 64 bytes"),
        (#"{"registrationId": "other", "attestation": {"type": "symmetricKey"}}"#, "does not match"),
    ])
    func malformedBodiesAre400(body: String, message: String) async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            let response = try await client.execute(uri: "/enrollments/dev1", method: .put, headers: fixture.headers(), body: .json(body))
            try expectServiceError(response, status: .badRequest)
            let text = try response.json()["message"]
            guard case .string(let actual) = text else { Issue.record("no message"); return }
            #expect(actual.contains(message), "\(actual)")
        }
    }

    @Test func percentEncodedIdsAreDecoded() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            let body = #"{"registrationId": "site:dev.1", "attestation": {"type": "symmetricKey"}}"#
            let created = try await client.execute(uri: "/enrollments/site%3Adev.1", method: .put, headers: fixture.headers(), body: .json(body))
            #expect(created.status == .ok)
            let fetched = try await client.execute(uri: "/enrollments/SITE%3ADEV.1", method: .get, headers: fixture.headers())
            #expect(try fetched.decode(IndividualEnrollment.self).registrationId == "site:dev.1")
        }
    }

    @Test func queryPagesWithContinuationHeaders() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            for id in ["c", "a", "b"] {
                let body = #"{"registrationId": "\#(id)", "attestation": {"type": "symmetricKey"}}"#
                _ = try await client.execute(uri: "/enrollments/\(id)", method: .put, headers: fixture.headers(), body: .json(body))
            }
            let first = try await client.execute(uri: "/enrollments/query" + apiVersion, method: .post,
                                                 headers: fixture.headers(extra: [.msMaxItemCountTest: "2"]), body: .json(#"{"query": "*"}"#))
            #expect(first.status == .ok)
            #expect(first.headers[.msItemTypeTest] == "Enrollment")
            #expect(try first.decode([IndividualEnrollment].self).map(\.registrationId) == ["a", "b"])
            let token = try #require(first.headers[.msContinuationTest])
            let second = try await client.execute(
                uri: "/enrollments/query" + apiVersion, method: .post,
                headers: fixture.headers(extra: [.msMaxItemCountTest: "2", .msContinuationTest: token]), body: .json(#"{"query": "*"}"#))
            #expect(try second.decode([IndividualEnrollment].self).map(\.registrationId) == ["c"])
            #expect(second.headers[.msContinuationTest] == nil)

            let bad = try await client.execute(uri: "/enrollments/query", method: .post,
                                               headers: fixture.headers(extra: [.msMaxItemCountTest: "many"]), body: .json(#"{"query": "*"}"#))
            try expectServiceError(bad, status: .badRequest)
            let unsupported = try await client.execute(uri: "/enrollments/query", method: .post, headers: fixture.headers(),
                                                       body: .json(#"{"query": "SELECT * FROM enrollments WHERE x = 1"}"#))
            try expectServiceError(unsupported, status: .badRequest)
        }
    }

    @Test func bulkOperation() async throws {
        let fixture = ServiceAPIFixture()
        try await fixture.test { client in
            let body = #"""
            {"enrollments": [{"registrationId": "b1", "attestation": {"type": "symmetricKey"}},
                             {"registrationId": "b2", "attestation": {"type": "symmetricKey"}}], "mode": "create"}
            """#
            let created = try await client.execute(uri: "/enrollments" + apiVersion, method: .post, headers: fixture.headers(), body: .json(body))
            #expect(created.status == .ok)
            #expect(try created.json() == .object(["isSuccessful": .bool(true), "errors": .array([])]))
            let again = try await client.execute(uri: "/enrollments" + apiVersion, method: .post, headers: fixture.headers(), body: .json(body))
            let result = try again.decode(BulkEnrollmentOperationResult.self)
            #expect(!result.isSuccessful && result.errors.map(\.registrationId) == ["b1", "b2"])
            #expect(result.errors.allSatisfy { $0.errorCode == 409_000 })
            let badMode = try await client.execute(uri: "/enrollments", method: .post, headers: fixture.headers(),
                                                   body: .json(#"{"enrollments": [], "mode": "explode"}"#))
            try expectServiceError(badMode, status: .badRequest)
        }
    }
}

extension HTTPField.Name {
    static let msContinuationTest = HTTPField.Name("x-ms-continuation")!
    static let msMaxItemCountTest = HTTPField.Name("x-ms-max-item-count")!
    static let msItemTypeTest = HTTPField.Name("x-ms-item-type")!
}
