import Foundation
import Testing
@testable import AccessControl

/// CBS tokens as each Azure client builds them (reference §4.2, §6). The fixtures were produced by the clients' own
/// code in `.venv`: `azure.eventhub._pyamqp.utils.generate_sas_token` (used by azure-eventhub 5.15.1 with either
/// transport), the `get_token` of `azure.iot.hub.iothub_amqp_client` 2.7.0, the redirect sample's
/// `urlencode({sr, sig, se, skn})`, and a C SDK device token with lower-case escapes in `sig`.
@Suite struct ClaimsTokenVerifierTests {
    /// The `service` policy's primary key: bytes 0…31.
    static let serviceKey = SharedAccessKey(bytes: Array(0..<32))
    /// The device `dev-1`'s key: bytes 100…131.
    static let deviceKey = SharedAccessKey(bytes: Array(100..<132))
    static let expiry: Int64 = 4_102_444_800
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static let eventHubsManagement = "SharedAccessSignature sr=sb%3A%2F%2F127.0.0.2%2Fhub-1&sig=eXKw2Ps84GpJCrhKAl%2Fj4OqKfcdkH6pYnFxSLpY1KHw%3D&se=4102444800&skn=service"
    static let eventHubsReceiver = "SharedAccessSignature sr=sb%3A%2F%2F127.0.0.2%2Fhub-1%2Fconsumergroups%2F%24Default&sig=rRhxgxKzlI%2F7UfwRe%2B4N3HfA6rl2XIKyrOI1qy5N5d4%3D&se=4102444800&skn=service"
    static let iotHubService = "SharedAccessSignature sr=127.0.0.2&sig=Toxzb84Z6zc9TokEpZCZsdHy4pg42CT2vZBApbCZyqc%3D&se=4102444800&skn=service"
    static let cDevice = "SharedAccessSignature sr=127.0.0.2/devices/dev-1&sig=%2fSl1xAy3Xar5MLU9IfH1%2fG4Iwz%2bv%2be16CVIkZpeoYVE%3d&se=4102444800"

    static let policies = [
        SharedAccessPolicy(name: "service", primaryKey: serviceKey, secondaryKey: SharedAccessKey(bytes: Array(repeating: 7, count: 32)),
                           permissions: [.serviceConnect]),
        SharedAccessPolicy(name: "registryRead", primaryKey: SharedAccessKey(bytes: Array(repeating: 9, count: 32)),
                           secondaryKey: SharedAccessKey(bytes: Array(repeating: 8, count: 32)), permissions: [.registryRead]),
    ]

    let verifier = ClaimsTokenVerifier(hostNames: ["127.0.0.2", "127.0.0.2:8443"], entityPath: "hub-1", policies: Self.policies)

    static func serviceGrant(_ audience: ClaimsAudience) -> ClaimsTokenCheck {
        .granted(ClaimsGrant(principal: .policy(name: "service", permissions: [.serviceConnect]), audience: audience,
                             expiry: Date(timeIntervalSince1970: TimeInterval(expiry))))
    }

    @Test("azure-eventhub tokens (signed with the key's Base64 text) verify for the management and receiver audiences")
    func eventHubsTokens() throws {
        #expect(try verifier.verify(audience: "sb://127.0.0.2/hub-1", token: Self.eventHubsManagement, now: Self.now)
            == Self.serviceGrant(.eventHub(consumerGroup: nil)))
        #expect(try verifier.verify(audience: "sb://127.0.0.2/hub-1/consumergroups/$Default", token: Self.eventHubsReceiver, now: Self.now)
            == Self.serviceGrant(.eventHub(consumerGroup: "$Default")))
        // The entity-wide token covers any consumer group; host and group compare case-insensitively.
        #expect(try verifier.verify(audience: "sb://127.0.0.2/HUB-1/ConsumerGroups/$default", token: Self.eventHubsManagement, now: Self.now)
            == Self.serviceGrant(.eventHub(consumerGroup: "$default")))
    }

    @Test("azure-iot-hub's C2D token (raw sr = host) verifies for https://{host}; the same token is PLAIN's password")
    func iotHubServiceToken() throws {
        #expect(try verifier.verify(audience: "https://127.0.0.2", token: Self.iotHubService, now: Self.now) == Self.serviceGrant(.hub))
        // A hub-wide token also covers the events entity (the redirect flow reuses the policy).
        #expect(try verifier.verify(audience: "sb://127.0.0.2/hub-1", token: Self.iotHubService, now: Self.now)
            == Self.serviceGrant(.eventHub(consumerGroup: nil)))
        let plain = try verifier.verifyPlain(user: "service@sas.root.127", password: Self.iotHubService, now: Self.now)
        #expect(plain == ClaimsGrant(principal: .policy(name: "service", permissions: [.serviceConnect]), audience: .hub,
                                     expiry: Date(timeIntervalSince1970: TimeInterval(Self.expiry))))
        #expect(try verifier.verifyPlain(user: "service@sas.root.hub-1", password: Self.iotHubService, now: Self.now).audience == .hub)
    }

    @Test("A C SDK device token (no skn) asks for the device key; the signature is the device's")
    func deviceToken() throws {
        #expect(try verifier.verify(audience: "127.0.0.2/devices/dev-1", token: Self.cDevice, now: Self.now)
            == .deviceKeyRequired(deviceId: "dev-1", moduleId: nil, expiry: Date(timeIntervalSince1970: TimeInterval(Self.expiry))))
        let token = try SharedAccessSignature(parsing: Self.cDevice)
        #expect(token.isSigned(with: Self.deviceKey))
        // A device's token covers its modules, not another device (ids are case-sensitive).
        #expect(try verifier.verify(audience: "127.0.0.2/devices/dev-1/modules/m1", token: Self.cDevice, now: Self.now)
            == .deviceKeyRequired(deviceId: "dev-1", moduleId: "m1", expiry: Date(timeIntervalSince1970: TimeInterval(Self.expiry))))
        #expect(throws: SecurityError.self) { try verifier.verify(audience: "127.0.0.2/devices/DEV-1", token: Self.cDevice, now: Self.now) }
    }

    @Test("Refusals: expired, bad signature, unknown policy, foreign audience, uncovered audience")
    func refusals() throws {
        func code(_ audience: String, _ token: String, now: Date = Self.now) -> SecurityError.Code? {
            do {
                _ = try verifier.verify(audience: audience, token: token, now: now)
                return nil
            } catch {
                return error.code
            }
        }
        let late = Date(timeIntervalSince1970: TimeInterval(Self.expiry))
        #expect(code("sb://127.0.0.2/hub-1", Self.eventHubsManagement, now: late) == .expiredToken)
        #expect(code("127.0.0.2/devices/dev-1", Self.cDevice, now: late) == .expiredToken)
        let wrongKey = SharedAccessSignature.make(resource: "127.0.0.2", key: .generate(), expiry: Self.expiry, keyName: "service")
        #expect(code("https://127.0.0.2", wrongKey) == .invalidSignature)
        let unknown = SharedAccessSignature.make(resource: "127.0.0.2", key: Self.serviceKey, expiry: Self.expiry, keyName: "iothubowner")
        #expect(code("https://127.0.0.2", unknown) == .unknownPolicy)
        let noPolicy = SharedAccessSignature.make(resource: "127.0.0.2", key: Self.serviceKey, expiry: Self.expiry)
        #expect(code("https://127.0.0.2", noPolicy) == .unknownPolicy)
        #expect(code("sb://127.0.0.3/hub-1", Self.eventHubsManagement) == .foreignAudience)
        #expect(code("sb://127.0.0.2/hub-2", Self.eventHubsManagement) == .foreignAudience)
        #expect(code("ftp://127.0.0.2", Self.iotHubService) == .foreignAudience)
        #expect(code("127.0.0.2/twins/x", Self.iotHubService) == .foreignAudience)
        // A consumer-group token does not cover the entity or another group; a device token not the hub.
        #expect(code("sb://127.0.0.2/hub-1", Self.eventHubsReceiver) == .scopeMismatch)
        #expect(code("sb://127.0.0.2/hub-1/consumergroups/other", Self.eventHubsReceiver) == .scopeMismatch)
        #expect(code("https://127.0.0.2", Self.cDevice) == .scopeMismatch)
        #expect(code("https://127.0.0.2", "Bearer abc") == .malformedToken)
    }

    @Test("PLAIN refusals: another hub, skn other than the user's policy, a device-scoped token")
    func plainRefusals() throws {
        #expect(throws: SecurityError.self) { try verifier.verifyPlain(user: "service@sas.root.other", password: Self.iotHubService, now: Self.now) }
        #expect(throws: SecurityError.self) { try verifier.verifyPlain(user: "registryRead@sas.root.127", password: Self.iotHubService, now: Self.now) }
        #expect(throws: SecurityError.self) { try verifier.verifyPlain(user: "service", password: Self.iotHubService, now: Self.now) }
        let device = SharedAccessSignature.make(resource: "127.0.0.2/devices/dev-1", key: Self.serviceKey, expiry: Self.expiry, keyName: "service")
        #expect(throws: SecurityError.self) { try verifier.verifyPlain(user: "service@sas.root.127", password: device, now: Self.now) }
        // rhea's form: sr = {host}/messages/events.
        let rhea = SharedAccessSignature.make(resource: "127.0.0.2/messages/events", key: Self.serviceKey, expiry: Self.expiry, keyName: "service")
        #expect(try verifier.verifyPlain(user: "service@sas.root.127", password: rhea, now: Self.now).audience == .eventHub(consumerGroup: nil))
    }

    @Test("Tokens made in Swift with quote-style sr verify like the Python fixtures; ports in the host are ignored")
    func swiftMadeTokens() throws {
        let token = SharedAccessSignature.make(resource: "127.0.0.2:8443/devices/dev-1", key: Self.serviceKey, expiry: Self.expiry, keyName: "service")
        #expect(try verifier.verify(audience: "127.0.0.2:8443/devices/dev-1", token: token, now: Self.now)
            == Self.serviceGrant(.device(deviceId: "dev-1", moduleId: nil)))
        #expect(ClaimsTokenVerifier.hostWithoutPort("[::1]:5671") == "::1")
        #expect(ClaimsTokenVerifier.hostWithoutPort("::1") == "::1")
    }

    @Test("Grants: a policy grant permits its permissions; coverage is a scope prefix")
    func grantsAndCoverage() {
        let grant = ClaimsGrant(principal: .policy(name: "service", permissions: [.serviceConnect]), audience: .hub, expiry: Self.now)
        #expect(grant.permits(.serviceConnect))
        #expect(!grant.permits(.registryWrite))
        #expect(!ClaimsGrant(principal: .device(deviceId: "d", moduleId: nil), audience: .hub, expiry: Self.now).permits(.deviceConnect))
        #expect(ClaimsAudience.device(deviceId: "d", moduleId: "m").covers(.device(deviceId: "d", moduleId: "m")))
        #expect(!ClaimsAudience.device(deviceId: "d", moduleId: "m").covers(.device(deviceId: "d", moduleId: nil)))
        #expect(!ClaimsAudience.eventHub(consumerGroup: nil).covers(.hub))
    }
}
