import AMQPCodec
import Foundation
@testable import Gateway
import Provisioning
import Testing

/// DPS AMQP requests as the SDKs send them (C SDK: no properties, data body; C#: correlation-id, empty data register,
/// amqp-value status body) and what is refused; link addresses and the TPM SASL framing.
@Suite struct DPSAMQPRequestTests {
    static func message(_ properties: AMQPMap?, body: AMQPMessageBody, correlationId: AMQPValue? = nil) -> AMQPMessage {
        AMQPMessage(properties: correlationId.map { AMQPMessageProperties(correlationId: $0) }, applicationProperties: properties, body: body)
    }

    static func badRequest(_ message: AMQPMessage) -> ProvisioningError? {
        do {
            _ = try DPSAMQPRequest(message)
            return nil
        } catch {
            return error
        }
    }

    @Test func cSDKRegisterWithPayloadAndNoProperties() throws {
        let body = Array(#"{"registrationId":"dev1","payload":{"modelId":"dtmi:x:y;1"}}"#.utf8)
        let request = try DPSAMQPRequest(Self.message([.string("iotdps-operation-type"): .string("iotdps-register")], body: .data([body])))
        guard case .register(let registration) = request.operation else { Issue.record("not a register"); return }
        #expect(registration.registrationId == "dev1")
        #expect(registration.payload != nil)
        #expect(request.correlationId == nil)
    }

    @Test func cSharpRegisterWithEmptyDataAndCorrelation() throws {
        let request = try DPSAMQPRequest(Self.message(
            [.string("iotdps-operation-type"): .string("iotdps-register"), .string("iotdps-forceRegistration"): .bool(false)],
            body: .data([[]]), correlationId: .string("c0ffee")))
        guard case .register(let registration) = request.operation else { Issue.record("not a register"); return }
        #expect(registration.registrationId == nil && registration.payload == nil)
        #expect(request.correlationId == .string("c0ffee"))
    }

    @Test func statusWithAnAMQPValueBodyAndKeywordsInAnyCase() throws {
        let request = try DPSAMQPRequest(Self.message(
            [.symbol("IOTDPS-Operation-Type"): .string("IoTDPS-Get-OperationStatus"), .string("iotdps-operation-id"): .string("5.abc.def")],
            body: .value(.string("iotdps-get-operationstatus"))))
        guard case .operationStatus(let operationId) = request.operation else { Issue.record("not a status request"); return }
        #expect(operationId == "5.abc.def")
    }

    @Test func malformedRequestsAreBadRequests() {
        let register: AMQPMap = [.string("iotdps-operation-type"): .string("iotdps-register")]
        let cases: [(AMQPMessage, String)] = [
            (Self.message(nil, body: .data([Array("{}".utf8)])), "iotdps-operation-type"),
            (Self.message([.string("iotdps-operation-type"): .string("iotdps-bogus")], body: .data([])), "iotdps-bogus"),
            (Self.message([.string("iotdps-operation-type"): .string("iotdps-get-operationstatus")], body: .data([])), "iotdps-operation-id"),
            (Self.message(register, body: .data([Array("{nope".utf8)])), "JSON"),
            (Self.message(register, body: .value(.int(5))), "data section"),
            (Self.message(register, body: .sequence([[.int(1)]])), "data section"),
        ]
        for (message, mentioned) in cases {
            let error = Self.badRequest(message)
            #expect(error?.status == 400, "\(message)")
            #expect(error?.message.contains(mentioned) == true, "\(error?.message ?? "accepted") should mention \(mentioned)")
        }
    }

    @Test func nodesWithAndWithoutTheHost() {
        #expect(DPSAMQPNode("amqps://dps.example:5671/0ne00000001/registrations/dev1")
            == DPSAMQPNode("0ne00000001/REGISTRATIONS/dev1"))
        #expect(DPSAMQPNode("/0ne00000001/registrations/dev1")?.registrationId == "dev1")
        #expect(DPSAMQPNode("0ne00000001/registrations") == nil)
        #expect(DPSAMQPNode("0ne00000001/devices/dev1") == nil)
        #expect(DPSAMQPNode("0ne00000001/registrations/dev1/extra") == nil)
        #expect(DPSAMQPNode(user: "0ne00000001/registrations/dev1")?.idScope == "0ne00000001")
        #expect(DPSAMQPNode(user: "amqps://h/0ne00000001/registrations/dev1") == nil)
    }

    @Test func tpmInitialResponseAndSegments() throws {
        let ek: [UInt8] = [0x01, 0x3a, 0x00, 0x01]
        let initial = [0x00] + Array("0ne00000001\u{0}dev-1\u{0}".utf8) + ek
        let parsed = try #require(DPSAMQPServedConnection.tpmInitialResponse(initial, idScope: "0ne00000001"))
        #expect(parsed.0 == "dev-1" && parsed.1 == ek, "an EK may itself hold zero bytes")
        #expect(DPSAMQPServedConnection.tpmInitialResponse(initial, idScope: "0ne99999999") == nil)
        #expect(DPSAMQPServedConnection.tpmInitialResponse(Array(initial.dropFirst()), idScope: "0ne00000001") == nil)
        #expect(DPSAMQPServedConnection.tpmInitialResponse([0x00] + Array("0ne00000001\u{0}\u{0}".utf8) + ek, idScope: "0ne00000001") == nil)

        let blob = (0..<1000).map { UInt8($0 & 0xFF) }
        let segments = DPSAMQPServedConnection.tpmSegments(blob)
        #expect(segments.map(\.count) == [471, 471, 61])
        #expect(segments.map { $0[0] } == [0x80, 0x81, 0xC2])
        #expect(segments.flatMap { $0.dropFirst() } == blob)
        #expect(DPSAMQPServedConnection.tpmSegments([7]) == [[0xC0, 7]])
    }

    @Test func repliesCarryBothRetrySpellingsAndRejectionsTheErrorJSON() throws {
        let reply = try DPSAMQPReply.status(RegistrationOperationStatus(operationId: "op", status: .assigning), correlationId: .string("c"))
        #expect(reply.applicationProperties?[string: "retry-after"] == .string("1"))
        #expect(reply.applicationProperties?[string: "Retry-After"] == .int(1))
        #expect(reply.properties?.correlationId == .string("c"))
        let json = try JSONSerialization.jsonObject(with: Data(try #require(reply.body.bytes))) as? [String: Any]
        #expect(json?["status"] as? String == "assigning" && json?["operationId"] as? String == "op")

        let throttled = DPSAMQPReply.rejection(.throttled("slow down"), retryAfter: 3)
        #expect(throttled.condition == AMQPError.Condition.resourceLimitExceeded)
        #expect(throttled.info?[string: "Retry-After"] == .int(3))
        let body = try JSONSerialization.jsonObject(with: Data(try #require(throttled.description).utf8)) as? [String: Any]
        #expect(body?["errorCode"] as? Int == 429_001)
        #expect(body?["message"] as? String == "slow down")

        let failed = try DPSAMQPReply.failed(.notFound("no such operation"), operationId: "op", correlationId: nil)
        let failure = try JSONSerialization.jsonObject(with: Data(try #require(failed.body.bytes))) as? [String: Any]
        #expect(failure?["status"] as? String == "failed" && failure?["errorCode"] as? Int == 404_000)
        #expect(failed.applicationProperties == nil)
    }
}
