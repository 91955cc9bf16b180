import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import AccessControl
import Testing

@Suite struct ServiceAuthenticatorTests {
    @Test func missingOrInvalidTokensAre401() async throws {
        let fixture = ServiceAPIFixture()
        let wrongKey = SharedAccessSignature.make(resource: ServiceAPIFixture.hostName, key: .generate(byteCount: 32),
                                                  expiry: Int64(ServiceAPIFixture.now.timeIntervalSince1970) + 60, keyName: fixture.owner.name)
        let tokens: [String?] = [
            nil,
            "Bearer abc",
            "SharedAccessSignature garbage",
            wrongKey,
            fixture.token(expiry: Int64(ServiceAPIFixture.now.timeIntervalSince1970) - 1),
            fixture.token(resource: "other.host:8443"),
            fixture.token(resource: "127.0.0.1:9443"),
            SharedAccessSignature.make(resource: ServiceAPIFixture.hostName, key: fixture.owner.primaryKey,
                                       expiry: Int64(ServiceAPIFixture.now.timeIntervalSince1970) + 60, keyName: "unknownpolicy"),
            SharedAccessSignature.make(resource: ServiceAPIFixture.hostName, key: fixture.owner.primaryKey,
                                       expiry: Int64(ServiceAPIFixture.now.timeIntervalSince1970) + 60),
        ]
        try await fixture.test { client in
            for token in tokens {
                var headers = HTTPFields()
                if let token { headers[.authorization] = token }
                let response = try await client.execute(uri: "/enrollments/dev1" + apiVersion, method: .get, headers: headers)
                try expectServiceError(response, status: .unauthorized, errorCode: 401_002)
                if let token, let signature = token.split(separator: "&").first(where: { $0.hasPrefix("sig=") }) {
                    #expect(!response.text.contains(signature.dropFirst(4)), "the token is never echoed")
                }
            }
        }
    }

    @Test func permissionsAreCheckedPerRoute() async throws {
        let fixture = ServiceAPIFixture()
        let readerToken = fixture.token(fixture.reader)
        try await fixture.test { client in
            let read = try await client.execute(uri: "/enrollments/dev1", method: .get, headers: fixture.headers(token: readerToken))
            try expectServiceError(read, status: .notFound)
            let query = try await client.execute(uri: "/enrollments/query", method: .post, headers: fixture.headers(token: readerToken),
                                                 body: .json(#"{"query": "*"}"#))
            #expect(query.status == .ok)
            let denied: [(String, HTTPRequest.Method)] = [
                ("/enrollments/dev1", .put), ("/enrollments/dev1", .delete), ("/enrollments", .post),
                ("/enrollmentGroups/g", .put), ("/registrations/dev1", .get), ("/registrations/dev1", .delete),
                ("/registrations/g/query", .post), ("/certificates", .get), ("/certificates/root", .put),
            ]
            for (uri, method) in denied {
                let response = try await client.execute(uri: uri, method: method, headers: fixture.headers(token: readerToken),
                                                        body: .json("{}"))
                try expectServiceError(response, status: .forbidden, errorCode: 403_000)
            }
        }
    }

    @Test func secondaryKeyAndCaseInsensitiveHostAreAccepted() throws {
        let fixture = ServiceAPIFixture()
        let authenticator = ServiceAuthenticator(policies: [fixture.owner], hostNames: [ServiceAPIFixture.hostName],
                                                 now: { ServiceAPIFixture.now })
        let expiry = Int64(ServiceAPIFixture.now.timeIntervalSince1970) + 60
        let secondary = SharedAccessSignature.make(resource: ServiceAPIFixture.hostName, key: fixture.owner.secondaryKey,
                                                   expiry: expiry, keyName: fixture.owner.name)
        #expect(try authenticator.authorize(authorization: secondary, path: "/enrollments/x", permission: .enrollmentRead) == fixture.owner)
        let scoped = SharedAccessSignature.make(resource: "127.0.0.1:8443/enrollments", key: fixture.owner.primaryKey,
                                                expiry: expiry, keyName: fixture.owner.name)
        _ = try authenticator.authorize(authorization: scoped, path: "/enrollments/x", permission: .enrollmentRead)
        #expect(throws: ServiceError.self) {
            try authenticator.authorize(authorization: scoped, path: "/enrollmentGroups/x", permission: .enrollmentRead)
        }
    }

    @Test func hostNameWithoutPortAcceptsAnyPort() throws {
        let fixture = ServiceAPIFixture()
        let authenticator = ServiceAuthenticator(policies: [fixture.owner], hostNames: ["DPS.Local"], now: { ServiceAPIFixture.now })
        let expiry = Int64(ServiceAPIFixture.now.timeIntervalSince1970) + 60
        for resource in ["dps.local", "dps.local:8443", "DPS.LOCAL:443"] {
            let token = SharedAccessSignature.make(resource: resource, key: fixture.owner.primaryKey, expiry: expiry, keyName: fixture.owner.name)
            _ = try authenticator.authorize(authorization: token, path: "/enrollments/x", permission: .enrollmentRead)
        }
        for resource in ["dps.local.evil", "dps.localx:8443", "other:8443"] {
            let token = SharedAccessSignature.make(resource: resource, key: fixture.owner.primaryKey, expiry: expiry, keyName: fixture.owner.name)
            let error = #expect(throws: ServiceError.self) {
                try authenticator.authorize(authorization: token, path: "/enrollments/x", permission: .enrollmentRead)
            }
            #expect(error?.status == .unauthorized)
        }
    }
}
