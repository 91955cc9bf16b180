import AccessControl
import Foundation
import Gateway
import Hub
import HTTPTypes
import HummingbirdTesting
import Provisioning
import Routing
import Testing

/// Forged system properties, oversized messages, methods and twins, and secrets in descriptions and answers: the
/// pure checks, and the service API's answers for them.
@Suite struct HostileMessageInputTests {
    @Test func devicesCannotSetHubStampedSystemProperties() throws {
        let bag = try MessagePropertyBag(parsing: """
            %24.mid=m1&%24.ct=application%2Fjson&%24.iothub-connection-module-id=evil&%24.iothub-connection-auth-generation-id=evil\
            &%24.cdid=evil&%24.cmid=evil&%24.iothub-enqueuedtime=evil&iothub-connection-device-id=evil&IOTHUB-MESSAGE-SOURCE=evil\
            &iothub-creation-time-utc=2030-01-01T00%3A00%3A00Z&%24.ctime=2030-01-01&normal=1
            """)
        #expect(bag.systemProperties == ["message-id": "m1", "content-type": "application/json", "iothub-creation-time-utc": "2030-01-01"])
        #expect(bag.applicationProperties == ["iothub-creation-time-utc": "2030-01-01T00:00:00Z", "normal": "1"])
        #expect(MessagePropertyBag.isReservedApplicationName("iothub-ack"))
        #expect(!MessagePropertyBag.isReservedApplicationName("iothubby"))
    }

    @Test func cloudToDeviceLimits() throws {
        try CloudToDeviceLimits.check(body: Array(repeating: 0, count: 60 * 1024), messageId: "m", systemValues: [nil],
                                      properties: ["a": String(repeating: "x", count: 1000)])
        #expect(throws: HubError.tooLarge("a cloud-to-device message may be at most 64 KB, properties included")) {
            try CloudToDeviceLimits.check(body: Array(repeating: 0, count: 40 * 1024), messageId: nil, systemValues: [],
                                          properties: ["big": String(repeating: "x", count: 30 * 1024)])
        }
        for name in ["$.mid", "iothub-ack", "IOTHUB-connection-device-id", ""] {
            #expect(throws: HubError.self) {
                try CloudToDeviceLimits.check(body: [], messageId: nil, systemValues: [], properties: [name: "v"])
            }
        }
        #expect(throws: HubError.self) {
            try CloudToDeviceLimits.check(body: [], messageId: String(repeating: "m", count: 129), systemValues: [], properties: [:])
        }
    }

    @Test func twinMemberLimits() throws {
        try TwinMemberLimits.check(["name": .string(String(repeating: "v", count: 4096))], section: "tags")
        #expect(throws: HubError.self) { try TwinMemberLimits.check(["name": .string(String(repeating: "v", count: 4097))], section: "tags") }
        #expect(throws: HubError.self) { try TwinMemberLimits.check([String(repeating: "n", count: 1025): .null], section: "tags") }
        var deep: JSONValue = .number(1)
        for _ in 0..<10 { deep = .object(["a": deep]) }
        #expect(throws: HubError.self) { try TwinMemberLimits.check(["root": deep], section: "desired properties") }
        var deepArray: JSONValue = .number(1)
        for _ in 0..<20 { deepArray = .array([deepArray]) }
        #expect(throws: HubError.self) { try TwinMemberLimits.check(["root": deepArray], section: "reported properties") }

        var twin = DeviceTwin(etag: "e")
        let big = JSONValue.string(String(repeating: "v", count: 4000))
        let patch = Dictionary(uniqueKeysWithValues: (0..<9).map { ("k\($0)", big) })
        #expect(throws: HubError.self) { _ = try twin.patchReported(patch, now: Date()) }
        #expect(twin.reported.isEmpty, "a refused patch leaves the twin as it was")
    }

    @Test func methodPayloadLimits() throws {
        let atLimit = DirectMethodRequest(methodName: "m", payload: .string(String(repeating: "x", count: 128 * 1024 - 2)))
        try atLimit.validate()
        let over = DirectMethodRequest(methodName: "m", payload: .string(String(repeating: "x", count: 128 * 1024 - 1)))
        #expect(throws: HubError.tooLarge("a direct method payload may be at most 128 KB")) { try over.validate() }
        let response = DirectMethodResponse(status: 200, payload: .string(String(repeating: "x", count: 128 * 1024)))
        #expect(throws: HubError.self) { _ = try response.checked() }
        #expect(try DirectMethodResponse(status: 200, payload: nil).checked().status == 200)
    }

    @Test func oversizedCloudToDeviceAndMethodsOverTheServiceAPI() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            let big = String(repeating: "x", count: 65 * 1024)
            let c2d = try await client.execute(uri: "/devices/dev1/messages/deviceBound" + hubAPIVersion, method: .post,
                                               headers: fixture.headers(), body: .json(#"{"payload": "\#(big)"}"#))
            try expectHubError(c2d, status: .contentTooLarge, name: "MessageTooLarge", errorCode: 413_001)
            let withProperties = try await client.execute(
                uri: "/devices/dev1/messages/deviceBound" + hubAPIVersion, method: .post, headers: fixture.headers(),
                body: .json(#"{"payload": "\#(String(repeating: "x", count: 40 * 1024))", "properties": {"p": "\#(String(repeating: "y", count: 30 * 1024))"}}"#))
            try expectHubError(withProperties, status: .contentTooLarge, name: "MessageTooLarge")
            let reserved = try await client.execute(uri: "/devices/dev1/messages/deviceBound" + hubAPIVersion, method: .post,
                                                    headers: fixture.headers(), body: .json(#"{"payload": "x", "properties": {"$.mid": "forged"}}"#))
            try expectHubError(reserved, status: .badRequest, name: "ArgumentInvalid")

            fixture.notifier.connect("dev1")
            let tooBig = try await client.execute(
                uri: "/twins/dev1/methods" + hubAPIVersion, method: .post, headers: fixture.headers(),
                body: .json(#"{"methodName": "m", "payload": "\#(String(repeating: "x", count: 130 * 1024))"}"#))
            try expectHubError(tooBig, status: .contentTooLarge, name: "MessageTooLarge")
            // The recording device echoes the payload: just under the limit in, over it on the way back.
            let echoed = try await client.execute(
                uri: "/twins/dev1/methods" + hubAPIVersion, method: .post, headers: fixture.headers(),
                body: .json(#"{"methodName": "m", "payload": "\#(String(repeating: "x", count: 128 * 1024 - 4))"}"#))
            try expectHubError(echoed, status: .contentTooLarge, name: "MessageTooLarge")
        }
    }

    @Test func secretsStayOutOfDescriptions() throws {
        let identity = TLSServerIdentity(certificateChainPEM: "CHAIN", privateKeyPEM: "-----BEGIN PRIVATE KEY-----\nSECRETKEY\n",
                                         clientTrustRootsPEM: "ROOTS")
        let key = SharedAccessKey(bytes: Array(repeating: 0xAB, count: 32))
        struct Holder { var identity: TLSServerIdentity; var key: SharedAccessKey }
        var dumped = ""
        dump(Holder(identity: identity, key: key), to: &dumped)
        for text in ["\(identity)", String(reflecting: identity), "\(Holder(identity: identity, key: key))",
                     String(reflecting: Holder(identity: identity, key: key)), dumped, String(reflecting: key)] {
            #expect(!text.contains("SECRETKEY") && !text.contains("PRIVATE KEY"), "\(text)")
            #expect(!text.contains(key.base64) && !text.contains("171"), "\(text)")
        }
    }

    @Test func routingAnswersBelowTheOwnerRedactWebhookSecrets() {
        var webhook = RoutingEndpointConfiguration(name: "alerts", type: .webhook)
        webhook.url = "https://user:pa55@hooks.example:8443/in?code=S3CRET&flag#frag"
        webhook.headers = ["Authorization": "Bearer T0KEN", "X-Key": "K3Y"]
        let redacted = RoutingConfiguration(endpoints: [webhook]).redacted
        let endpoint = redacted.endpoints[0]
        #expect(endpoint.headers == ["Authorization": "redacted", "X-Key": "redacted"])
        #expect(endpoint.url == "https://user:redacted@hooks.example:8443/in?code=redacted&flag#redacted")
        #expect(RoutingEndpointConfiguration.redactingURL("https://hooks.example/in") == "https://hooks.example/in")
        #expect(RoutingEndpointConfiguration.redactingURL("not a url with spaces ^") == "redacted")
        var dumped = ""
        dump(RoutingConfiguration(endpoints: [webhook]), to: &dumped)
        for text in ["\(webhook)", String(reflecting: RoutingConfiguration(endpoints: [webhook])), dumped] {
            #expect(!text.contains("S3CRET") && !text.contains("T0KEN") && !text.contains("pa55"), "\(text)")
        }
    }
}
