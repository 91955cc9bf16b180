import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import AccessControl
import Testing

@Suite struct HubServiceAuthTests {
    /// Every route with the permission it needs.
    static let routes: [(uri: String, method: HTTPRequest.Method, permission: SharedAccessPermission)] = [
        ("/devices/dev1", .put, .registryWrite), ("/devices/dev1", .get, .registryRead), ("/devices/dev1", .delete, .registryWrite),
        ("/devices", .get, .registryRead), ("/twins/dev1", .get, .registryRead), ("/twins/dev1", .patch, .serviceConnect),
        ("/twins/dev1", .put, .serviceConnect), ("/twins/dev1/methods", .post, .serviceConnect),
        ("/devices/dev1/messages/deviceBound", .post, .serviceConnect), ("/messages/serviceBound/feedback", .get, .serviceConnect),
        ("/devices/dev1/commands", .delete, .serviceConnect), ("/devices/query", .post, .registryRead),
        ("/statistics/devices", .get, .registryRead), ("/statistics/service", .get, .registryRead),
    ]

    @Test func missingOrInvalidTokensAre401AndNeverEchoed() async throws {
        let fixture = HubServiceFixture()
        let expiry = Int64(HubServiceFixture.now.timeIntervalSince1970) + 60
        let tokens: [String?] = [
            nil,
            "Bearer abc",
            "SharedAccessSignature garbage",
            SharedAccessSignature.make(resource: HubServiceFixture.hostName, key: .generate(byteCount: 32), expiry: expiry, keyName: "iothubowner"),
            fixture.token(expiry: Int64(HubServiceFixture.now.timeIntervalSince1970) - 1),
            fixture.token(resource: "other.host:8443"),
            fixture.token(resource: "127.0.0.3:8443"),
            SharedAccessSignature.make(resource: HubServiceFixture.hostName, key: fixture.owner.primaryKey, expiry: expiry, keyName: "nobody"),
            SharedAccessSignature.make(resource: HubServiceFixture.hostName, key: fixture.owner.primaryKey, expiry: expiry),
        ]
        try await fixture.test { client in
            for token in tokens {
                for route in Self.routes {
                    var headers = HTTPFields()
                    if let token { headers[.authorization] = token }
                    let response = try await client.execute(uri: route.uri + hubAPIVersion, method: route.method, headers: headers, body: .json("{}"))
                    try expectHubError(response, status: .unauthorized, name: "IotHubUnauthorizedAccess", errorCode: 401_002)
                    if let token, let signature = token.split(separator: "&").first(where: { $0.hasPrefix("sig=") }) {
                        #expect(!response.text.contains(signature.dropFirst(4)), "the token is never echoed")
                    }
                }
            }
        }
    }

    @Test func eachRouteNeedsItsPermission() async throws {
        let fixture = HubServiceFixture()
        let policies = [fixture.registryReader, fixture.registryWriter, fixture.service]
        try await fixture.test { client in
            for route in Self.routes {
                for policy in policies {
                    let response = try await client.execute(uri: route.uri, method: route.method, headers: fixture.headers(token: fixture.token(policy)),
                                                            body: .json("{}"))
                    if policy.permissions.contains(route.permission) {
                        #expect(response.status != .forbidden && response.status != .unauthorized,
                                "\(policy.name) may \(route.method) \(route.uri): \(response.text)")
                    } else {
                        try expectHubError(response, status: .forbidden, name: "IotHubUnauthorizedAccess")
                        #expect(response.text.contains(route.permission.rawValue), "\(response.text)")
                    }
                }
            }
        }
    }

    @Test func tokenMayNameTheHostWithOrWithoutPortOrADevicePath() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            let portless = try await client.execute(uri: "/statistics/devices", method: .get,
                                                    headers: fixture.headers(token: fixture.token(resource: "127.0.0.2")))
            #expect(portless.status == .ok, "\(portless.text)")
            let devicePath = try await client.execute(uri: "/devices/dev1", method: .get,
                                                      headers: fixture.headers(token: fixture.token(resource: "127.0.0.2:8443/devices/dev1")))
            try expectHubError(devicePath, status: .notFound, name: "DeviceNotFound")
            let otherDevice = try await client.execute(uri: "/devices/dev2", method: .get,
                                                       headers: fixture.headers(token: fixture.token(resource: "127.0.0.2:8443/devices/dev1")))
            try expectHubError(otherDevice, status: .unauthorized)
        }
    }
}
