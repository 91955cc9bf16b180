import Foundation
import HTTPTypes
import Hub
import Hummingbird
import HummingbirdTesting
import Provisioning
import Testing

@Suite struct HubMessagingRoutesTests {
    @Test func methodInvocation() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            // invoke_device_method with CloudToDeviceMethod(method_name, payload) and a response timeout.
            let body = #"{"methodName": "reboot", "payload": {"delay": 5}, "responseTimeoutInSeconds": 30}"#
            let offline = try await client.execute(uri: "/twins/dev1/methods" + hubAPIVersion, method: .post, headers: fixture.headers(), body: .json(body))
            try expectHubError(offline, status: .notFound, name: "DeviceNotOnline", errorCode: 404_103)

            fixture.notifier.connect("dev1")
            let answered = try await client.execute(uri: "/twins/dev1/methods" + hubAPIVersion, method: .post, headers: fixture.headers(), body: .json(body))
            #expect(answered.status == .ok)
            #expect(try answered.json() == .object([
                "status": .number(201), "payload": .object(["method": .string("reboot"), "echo": .object(["delay": .number(5)])]),
            ]))
            #expect(fixture.notifier.methodCalls.last?.responseTimeoutInSeconds == 30)

            let slow = try await client.execute(uri: "/twins/dev1/methods", method: .post, headers: fixture.headers(),
                                                body: .json(#"{"methodName": "slow", "payload": ""}"#))
            try expectHubError(slow, status: .gatewayTimeout, name: "GatewayTimeout", errorCode: 504_101)

            let unknown = try await client.execute(uri: "/twins/nobody/methods", method: .post, headers: fixture.headers(), body: .json(body))
            try expectHubError(unknown, status: .notFound, name: "DeviceNotFound")
            for invalid in [#"{"payload": 1}"#, #"{"methodName": "a/b"}"#, #"{"methodName": "m", "responseTimeoutInSeconds": 1}"#, "{"] {
                let response = try await client.execute(uri: "/twins/dev1/methods", method: .post, headers: fixture.headers(), body: .json(invalid))
                try expectHubError(response, status: .badRequest, name: "ArgumentInvalid")
            }
        }
    }

    @Test func cloudToDeviceSendFeedbackAndPurge() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            let sent = try await client.execute(
                uri: "/devices/dev1/messages/deviceBound" + hubAPIVersion, method: .post, headers: fixture.headers(),
                body: .json(#"{"payload": "hello", "properties": {"k": "v"}, "messageId": "m-1", "correlationId": "c-1", "contentType": "text/plain", "contentEncoding": "utf-8", "ttlSeconds": 60, "ack": "full"}"#))
            #expect(sent.status == .noContent && sent.body.readableBytes == 0)
            #expect(sent.headers[HTTPField.Name("x-ms-message-id")!] == "m-1")
            let generated = try await client.execute(uri: "/devices/dev1/messages/deviceBound", method: .post, headers: fixture.headers(),
                                                     body: .json(#"{"payload": "second"}"#))
            let generatedId = try #require(generated.headers[HTTPField.Name("x-ms-message-id")!])
            #expect(UUID(uuidString: generatedId) != nil)

            let queued = await fixture.store.queuedMessages()
            #expect(queued.count == 2)
            let first = try #require(queued.first)
            #expect(first.body == Array("hello".utf8) && first.properties == ["k": "v"] && first.ack == .full)
            #expect(first.correlationId == "c-1" && first.contentType == "text/plain" && first.contentEncoding == "utf-8")
            #expect(first.expiryTime == HubServiceFixture.now.addingTimeInterval(60))
            #expect(fixture.notifier.wokenForCloudToDevice == ["dev1", "dev1"])

            await fixture.store.addFeedback(FeedbackRecord(originalMessageId: "m-1", deviceId: "dev1", statusCode: .success,
                                                           description: "Success", enqueuedTimeUtc: "2027-01-15T08:00:00Z", deviceGenerationId: "1"))
            let feedback = try await client.execute(uri: "/messages/serviceBound/feedback" + hubAPIVersion, method: .get, headers: fixture.headers())
            #expect(feedback.status == .ok)
            let records = try #require(try feedback.json().arrayValue)
            #expect(records.count == 1)
            #expect(records.first?["originalMessageId"] == .string("m-1") && records.first?["statusCode"] == .string("Success"))
            let drained = try await client.execute(uri: "/messages/serviceBound/feedback", method: .get, headers: fixture.headers())
            #expect(try drained.json() == .array([]), "feedback is taken once")

            let purged = try await client.execute(uri: "/devices/DEV1/commands" + hubAPIVersion, method: .delete, headers: fixture.headers())
            #expect(purged.status == .ok)
            #expect(try purged.json() == .object(["totalMessagesPurged": .number(2), "deviceId": .string("dev1")]))
            #expect(await fixture.store.queuedMessages().isEmpty)
        }
    }

    @Test func cloudToDeviceErrors() async throws {
        let fixture = HubServiceFixture()
        try await fixture.test { client in
            try await fixture.createDevice("dev1", client: client)
            let unknown = try await client.execute(uri: "/devices/nobody/messages/deviceBound", method: .post, headers: fixture.headers(),
                                                   body: .json(#"{"payload": "x"}"#))
            try expectHubError(unknown, status: .notFound, name: "DeviceNotFound")
            let purgeUnknown = try await client.execute(uri: "/devices/nobody/commands", method: .delete, headers: fixture.headers())
            try expectHubError(purgeUnknown, status: .notFound, name: "DeviceNotFound")
            for body in [#"{"payload": "x", "ack": "sometimes"}"#, #"{"payload": "x", "ttlSeconds": 0}"#,
                         #"{"payload": "x", "properties": {"k": 1}}"#, #"{"payload": 5}"#, "{"] {
                let response = try await client.execute(uri: "/devices/dev1/messages/deviceBound", method: .post, headers: fixture.headers(),
                                                        body: .json(body))
                try expectHubError(response, status: .badRequest, name: "ArgumentInvalid")
            }
            for _ in 0..<CloudToDeviceMessage.maximumPendingPerDevice {
                let response = try await client.execute(uri: "/devices/dev1/messages/deviceBound", method: .post, headers: fixture.headers(),
                                                        body: .json(#"{"payload": "x"}"#))
                #expect(response.status == .noContent)
            }
            let full = try await client.execute(uri: "/devices/dev1/messages/deviceBound", method: .post, headers: fixture.headers(),
                                                body: .json(#"{"payload": "x"}"#))
            try expectHubError(full, status: .forbidden, name: "DeviceMaximumQueueDepthExceeded", errorCode: 403_004)
        }
    }
}
