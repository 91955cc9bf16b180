import Foundation
import Provisioning
import Testing

@Suite struct CustomAllocationTests {
    static let webhookURL = "https://alloc.provisio.test/api/allocate?code=function-key-123"

    static func customDevice(_ id: String = "custom-dev") -> AttestedDevice {
        TestDevices.individual(id) {
            $0.allocationPolicy = .custom
            $0.customAllocationDefinition = CustomAllocationDefinition(webhookUrl: webhookURL, apiVersion: "2021-10-01")
            $0.iotHubs = ["hub-a.provisio.test", "hub-b.provisio.test"]
            $0.initialTwin = json(#"{"tags":{"from":"enrollment"}}"#)
        }
    }

    static func answer(hub: String, key: String = "iotHubHostName") -> JSONValue {
        .object([
            key: .string(hub),
            "initialTwin": json(#"{"tags":{"from":"webhook"},"properties":{"desired":{"interval":5}}}"#),
            "payload": json(#"{"endpoint":"wss://telemetry.provisio.test","count":3}"#),
        ])
    }

    @Test func requestCarriesEnrollmentContextAndHubsWithoutKeys() async throws {
        let webhook = RecordingWebhook(answering: Self.answer(hub: "hub-b.provisio.test"))
        let policy = CustomAllocation(webhook: webhook, timeout: .seconds(3))
        let payload = json(#"{"modelId":"dtmi:provisio:sensor;1","count":7}"#)
        _ = try await policy.allocate(try TestDevices.request(Self.customDevice(), payload: payload))

        let post = try #require(webhook.posts.first)
        #expect(webhook.posts.count == 1)
        #expect(post.url.absoluteString == Self.webhookURL)
        #expect(post.timeout == .seconds(3))
        let enrollment = try #require(post.body["individualEnrollment"])
        #expect(post.body["enrollmentGroup"] == nil)
        #expect(enrollment["registrationId"] == .string("custom-dev"))
        #expect(enrollment["attestation"] == json(#"{"type":"symmetricKey","symmetricKey":{}}"#))
        let context = try #require(post.body["deviceRuntimeContext"])
        #expect(context["registrationId"] == .string("custom-dev"))
        #expect(context["payload"] == payload)
        #expect(context["symmetricKey"] == .object([:]))
        #expect(context["currentIotHubHostName"] == nil)
        #expect(post.body["linkedHubs"] == json(#"["hub-a.provisio.test","hub-b.provisio.test"]"#))
        let text = String(decoding: try JSONEncoder().encode(post.body), as: UTF8.self)
        #expect(!text.contains(TestDevices.primaryKey) && !text.contains(TestDevices.secondaryKey))
    }

    @Test func groupMembersSendTheGroupWithoutKeysAndReRegistrationsTheCurrentHub() async throws {
        let webhook = RecordingWebhook(answering: Self.answer(hub: "hub-a.provisio.test"))
        let device = TestDevices.member("member-1", of: "custom-group") {
            $0.allocationPolicy = .custom
            $0.customAllocationDefinition = CustomAllocationDefinition(webhookUrl: Self.webhookURL)
        }
        _ = try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(device, currentHub: TestHubs.c))
        let body = try #require(webhook.posts.first?.body)
        #expect(body["individualEnrollment"] == nil)
        let group = try #require(body["enrollmentGroup"])
        #expect(group["enrollmentGroupId"] == .string("custom-group"))
        #expect(group["attestation"] == json(#"{"type":"symmetricKey","symmetricKey":{}}"#))
        #expect(body["deviceRuntimeContext"]?["registrationId"] == .string("member-1"))
        #expect(body["deviceRuntimeContext"]?["payload"] == nil)
        #expect(body["deviceRuntimeContext"]?["currentIotHubHostName"] == .string("hub-c.provisio.test"))
        #expect(body["deviceRuntimeContext"]?["currentDeviceId"] == .string("member-1"))
        #expect(body["linkedHubs"] == .array(TestHubs.all.map { .string($0.hostName) }))
    }

    @Test(arguments: ["iotHubHostName", "iotHubHostname"])
    func answerGivesHubTwinAndPayload(key: String) async throws {
        let webhook = RecordingWebhook(answering: Self.answer(hub: "HUB-B.provisio.test", key: key))
        let decision = try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(Self.customDevice()))
        #expect(decision.hub == TestHubs.b)
        #expect(decision.initialTwin == json(#"{"tags":{"from":"webhook"},"properties":{"desired":{"interval":5}}}"#))
        #expect(decision.payload == json(#"{"endpoint":"wss://telemetry.provisio.test","count":3}"#))
    }

    @Test func answerWithOnlyAHubLeavesTwinAndPayloadEmpty() async throws {
        let webhook = RecordingWebhook(answering: json(#"{"iotHubHostName":"hub-a.provisio.test","initialTwin":null}"#))
        let decision = try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(Self.customDevice()))
        #expect(decision == AllocationDecision(hub: TestHubs.a))
    }

    @Test func hubOutsideTheEnrollmentsHubsFails() async throws {
        let webhook = RecordingWebhook(answering: Self.answer(hub: "hub-c.provisio.test"))
        let error = await #expect(throws: ProvisioningError.self) {
            try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(Self.customDevice()))
        }
        #expect(error?.errorCode == 400_209)
        #expect(error?.message.contains("hub-c.provisio.test") == true)
        #expect(error?.message.contains("not one of the linked hubs") == true)
    }

    @Test(arguments: ["not json", "[1,2]", #""hub-a.provisio.test""#, ""])
    func answerThatIsNoJSONObjectFails(text: String) async throws {
        let webhook = RecordingWebhook { _ in Data(text.utf8) }
        let error = await #expect(throws: ProvisioningError.self) {
            try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(Self.customDevice()))
        }
        #expect(error == .allocationFailed("custom allocation webhook answered something other than a JSON object"))
    }

    @Test func answerWithoutAHubFails() async throws {
        let webhook = RecordingWebhook(answering: json(#"{"payload":{"a":1}}"#))
        let error = await #expect(throws: ProvisioningError.self) {
            try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(Self.customDevice()))
        }
        #expect(error == .allocationFailed("custom allocation webhook answer has no iotHubHostName"))
    }

    @Test func webhookFailureFailsAllocationWithoutEchoingTheURL() async throws {
        let url = try #require(URL(string: Self.webhookURL))
        let webhook = RecordingWebhook { _ in
            // What URLSession throws on a timeout: the failing URL, with its function key, rides in userInfo.
            throw URLError(.timedOut, userInfo: [NSURLErrorFailingURLErrorKey: url, NSURLErrorFailingURLStringErrorKey: Self.webhookURL])
        }
        let error = await #expect(throws: ProvisioningError.self) {
            try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(Self.customDevice()))
        }
        #expect(error?.status == 400)
        #expect(error?.errorCode == 400_209)
        #expect(error?.message.contains("custom allocation webhook") == true)
        #expect(error?.message.contains("function-key-123") == false, "the device sees this message: \(error?.message ?? "")")
    }

    @Test func webhookProvisioningErrorsPassThrough() async throws {
        let webhook = RecordingWebhook { _ in throw ProvisioningError.allocationFailed("custom allocation webhook answered HTTP 500") }
        await #expect(throws: ProvisioningError.allocationFailed("custom allocation webhook answered HTTP 500")) {
            try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(Self.customDevice()))
        }
    }

    @Test(arguments: [nil, "ftp://alloc.provisio.test/hook", "not a url"])
    func missingOrNonHTTPWebhookFailsWithoutACall(url: String?) async throws {
        let webhook = RecordingWebhook.unused()
        let device = TestDevices.individual("custom-dev") {
            $0.allocationPolicy = .custom
            $0.customAllocationDefinition = url.map { CustomAllocationDefinition(webhookUrl: $0) }
        }
        let error = await #expect(throws: ProvisioningError.self) {
            try await CustomAllocation(webhook: webhook).allocate(try TestDevices.request(device))
        }
        #expect(error == .allocationFailed("custom allocation needs an http or https webhookUrl"))
        #expect(webhook.posts.isEmpty)
    }
}
