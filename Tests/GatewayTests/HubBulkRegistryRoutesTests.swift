import Foundation
import HTTPTypes
import Hub
import Hummingbird
import HummingbirdTesting
import Provisioning
import AccessControl
import Testing

/// `POST /devices` (bulk registry) and the jobs v2 routes' refusals, without sockets.
@Suite struct HubBulkRegistryRoutesTests {
    @Test func allSucceedIs200MixedIs400WithPerDeviceErrors() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let created = try await client.execute(uri: "/devices" + hubAPIVersion, method: .post, headers: fixture.headers(), body: .json("""
                [{"id": "b1", "importMode": "create", "authentication": {"type": "sas", "symmetricKey": {}}},
                 {"id": "b2", "importMode": "create", "status": "disabled"}]
                """))
            #expect(created.status == .ok, "\(created.text)")
            #expect(try created.json() == .object(["isSuccessful": .bool(true), "errors": .array([]), "warnings": .array([])]))

            let mixed = try await client.execute(uri: "/devices" + hubAPIVersion, method: .post, headers: fixture.headers(), body: .json("""
                [{"id": "b1", "importMode": "create"},
                 {"id": "b2", "importMode": "updateIfMatchETag", "eTag": "stale", "status": "enabled"},
                 {"id": "b3", "importMode": "sideways"},
                 {"id": "b4", "importMode": "create", "authentication": {"type": "sas", "symmetricKey": {"primaryKey": "not base64"}}},
                 {"id": "b5", "importMode": "deleteIfMatchETag"}]
                """))
            #expect(mixed.status == .badRequest)
            let body = try mixed.json()
            #expect(body["isSuccessful"] == .bool(false))
            let errors = try #require(body["errors"]?.arrayValue)
            #expect(errors.compactMap { $0["deviceId"]?.stringValue } == ["b1", "b2", "b3", "b4", "b5"])
            #expect(errors.compactMap { $0["errorCode"]?.stringValue }
                == ["DeviceAlreadyExists", "PreconditionFailed", "ArgumentInvalid", "ArgumentInvalid", "ArgumentInvalid"])
            #expect(errors.allSatisfy { !($0["errorStatus"]?.stringValue ?? "").isEmpty })
            let b2 = try await client.execute(uri: "/devices/b2" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(try b2.json()["status"] == .string("disabled"), "a stale etag leaves the device alone")
        }
    }

    @Test func wholeCallRefusals() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let many = "[" + (0..<101).map { #"{"id": "m\#($0)", "importMode": "create"}"# }.joined(separator: ",") + "]"
            let tooMany = try await client.execute(uri: "/devices" + hubAPIVersion, method: .post, headers: fixture.headers(), body: .json(many))
            try expectHubError(tooMany, status: .badRequest, name: "ArgumentInvalid")
            let twice = try await client.execute(uri: "/devices" + hubAPIVersion, method: .post, headers: fixture.headers(), body: .json("""
                [{"id": "d", "importMode": "create"}, {"id": "D", "importMode": "delete"}]
                """))
            try expectHubError(twice, status: .badRequest, name: "ArgumentInvalid")
            let empty = try await client.execute(uri: "/devices" + hubAPIVersion, method: .post, headers: fixture.headers(), body: .json("[]"))
            try expectHubError(empty, status: .badRequest)
            let object = try await client.execute(uri: "/devices" + hubAPIVersion, method: .post, headers: fixture.headers(),
                                                  body: .json(#"{"id": "x"}"#))
            try expectHubError(object, status: .badRequest)
            let reader = try await client.execute(uri: "/devices" + hubAPIVersion, method: .post,
                                                  headers: fixture.headers(token: fixture.token(fixture.registryReader)),
                                                  body: .json(#"[{"id": "r", "importMode": "create"}]"#))
            #expect(reader.status == .forbidden, "registryRead may not write the registry")
            let listed = try await client.execute(uri: "/devices" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(try listed.json() == .array([]), "no refused call created anything")
        }
    }

    @Test func jobRequestsAreCheckedBeforeStorage() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let badStatus = try await client.execute(uri: "/jobs/v2/query" + hubAPIVersion + "&jobStatus=sleeping", method: .get,
                                                     headers: fixture.headers())
            try expectHubError(badStatus, status: .badRequest, name: "ArgumentInvalid")
            let badType = try await client.execute(uri: "/jobs/v2/query" + hubAPIVersion + "&jobType=export", method: .get,
                                                   headers: fixture.headers())
            try expectHubError(badType, status: .badRequest, name: "ArgumentInvalid")
            for body in [
                #"{"type": "reboot"}"#,
                #"{"jobId": "other", "type": "scheduleUpdateTwin", "updateTwin": {"tags": {}}}"#,
                #"{"type": "scheduleUpdateTwin", "startTime": "tomorrow", "updateTwin": {"tags": {}}}"#,
                #"{"type": "scheduleUpdateTwin", "maxExecutionTimeInSeconds": 1.5, "updateTwin": {"tags": {}}}"#,
                #"{"type": "scheduleDeviceMethod"}"#,
                #"[1, 2]"#,
            ] {
                let refused = try await client.execute(uri: "/jobs/v2/j1" + hubAPIVersion, method: .put, headers: fixture.headers(), body: .json(body))
                try expectHubError(refused, status: .badRequest)
            }
            // This fixture's shard keeps no jobs: a valid request gets a clear 501, not a crash.
            let valid = try await client.execute(uri: "/jobs/v2/j1" + hubAPIVersion, method: .put, headers: fixture.headers(), body: .json(
                #"{"jobId": "j1", "type": "scheduleUpdateTwin", "queryCondition": "tags.a = 1", "startTime": "2027-01-15T08:00:00.123Z", "maxExecutionTimeInSeconds": 60, "updateTwin": {"etag": "*", "properties": {"desired": {"a": 1}}}}"#))
            try expectHubError(valid, status: .notImplemented)
        }
    }
}
