import AccessControl
import Foundation
import Gateway
import Hub
import Testing

/// A hub session is bound to the device id the registry holds: another spelling of it is another, unregistered
/// device (IoT Hub device ids are case-sensitive), so it cannot carry an id that disable and delete would miss.
@Suite struct HubCanonicalIdentityTests {
    let fixture = HubServiceFixture()

    func token(_ deviceId: String, key: String) throws -> String {
        SharedAccessSignature.make(resource: "127.0.0.2/devices/\(deviceId)", key: try SharedAccessKey(base64: key),
                                   expiry: Int64(HubServiceFixture.now.timeIntervalSince1970) + 3600, keyName: nil)
    }

    @Test func aDeviceAuthenticatesOnlyUnderItsCanonicalId() async throws {
        let key = Data(repeating: 0x5A, count: 32).base64EncodedString()
        _ = try await fixture.shard.createOrUpdateDevice(
            DeviceSpecification(deviceId: "dev1", authentication: .sharedAccessSignature(primaryKey: key, secondaryKey: key)),
            ifMatch: nil)
        let identity = try await fixture.shard.authenticate(deviceId: "dev1", moduleId: nil, token: try token("dev1", key: key))
        #expect(identity.deviceId == "dev1")
        for spelling in ["DEV1", "Dev1"] {
            let error = await #expect(throws: HubError.self) {
                try await fixture.shard.authenticate(deviceId: spelling, moduleId: nil, token: try token(spelling, key: key))
            }
            #expect(error?.status == 401)
            #expect(error?.message.contains("not registered") == true, "\(error?.message ?? "-")")
        }
    }
}
