import AccessControl
import Foundation
import Gateway
import Hub
import Testing

/// CBS tokens on a shard: policy tokens by the shard's policies, device tokens by the device's key in the registry.
@Suite struct ClaimsTokenAuthorizerTests {
    let fixture = HubServiceFixture()
    let key = Data(repeating: 0x5A, count: 32).base64EncodedString()
    var expiry: Int64 { Int64(HubServiceFixture.now.timeIntervalSince1970) + 3600 }

    func authorizer() -> ClaimsTokenAuthorizer {
        ClaimsTokenAuthorizer(shard: fixture.shard, hostNames: ["127.0.0.2", HubServiceFixture.hostName],
                              policies: [fixture.owner, fixture.service], now: { HubServiceFixture.now })
    }

    func registerDevice() async throws {
        _ = try await fixture.shard.createOrUpdateDevice(
            DeviceSpecification(deviceId: "dev1", authentication: .sharedAccessSignature(primaryKey: key, secondaryKey: key)),
            ifMatch: nil)
    }

    @Test("A device token for {host}/devices/{id} is checked against the device's key and grants the device")
    func deviceToken() async throws {
        try await registerDevice()
        let token = SharedAccessSignature.make(resource: "127.0.0.2/devices/dev1", key: try SharedAccessKey(base64: key), expiry: expiry)
        let grant = try await authorizer().authorize(audience: "127.0.0.2/devices/dev1", token: token)
        #expect(grant.principal == .device(deviceId: "dev1", moduleId: nil))
        #expect(grant.audience == .device(deviceId: "dev1", moduleId: nil))
        #expect(grant.expiry == Date(timeIntervalSince1970: TimeInterval(expiry)))

        let forged = SharedAccessSignature.make(resource: "127.0.0.2/devices/dev1", key: .generate(), expiry: expiry)
        let error = await #expect(throws: SecurityError.self) {
            try await authorizer().authorize(audience: "127.0.0.2/devices/dev1", token: forged)
        }
        #expect(error?.code == .invalidSignature)
        let unknown = SharedAccessSignature.make(resource: "127.0.0.2/devices/nobody", key: try SharedAccessKey(base64: key), expiry: expiry)
        await #expect(throws: SecurityError.self) { try await authorizer().authorize(audience: "127.0.0.2/devices/nobody", token: unknown) }
    }

    @Test("A service policy token for https://{host} grants the policy's permissions; PLAIN takes the same token")
    func policyToken() async throws {
        let token = SharedAccessSignature.make(resource: "127.0.0.2", key: fixture.service.primaryKey, expiry: expiry, keyName: "service")
        let grant = try await authorizer().authorize(audience: "https://127.0.0.2", token: token)
        #expect(grant.permits(.serviceConnect))
        #expect(!grant.permits(.registryWrite))
        #expect(try authorizer().authorizePlain(user: "service@sas.root.hub-1", password: token).audience == .hub)
    }
}
