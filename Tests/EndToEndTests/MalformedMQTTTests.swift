import Foundation
import MQTTCodec
import NIOCore
import Testing

/// Hostile or broken MQTT input against a running server: the connection ends, the server does not.
///
/// "Closed" is only meaningful before the server's 10 s CONNECT deadline, which would close any
/// silent connection anyway, so every close must arrive within ``closeDeadline``.
@Suite("Malformed MQTT", .timeLimit(.minutes(3)))
struct MalformedMQTTTests {
    /// Well below the server's 10 s CONNECT timeout.
    static let closeDeadline: Duration = .seconds(5)

    /// Bytes that must make the server drop the connection without answering.
    struct MalformedInput: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var bytes: [UInt8]
    }

    /// A CONNECT the server must refuse with a specific CONNACK code.
    struct RefusedConnect: Sendable, CustomTestStringConvertible {
        var testDescription: String
        var connect: MQTTConnect
        var returnCode: MQTTConnectReturnCode
    }

    static let malformedInputs: [MalformedInput] = [
        MalformedInput(
            testDescription: "remaining length with five continuation bytes",
            bytes: [0x10, 0xFF, 0xFF, 0xFF, 0xFF, 0x7F]),
        MalformedInput(
            testDescription: "PUBLISH before CONNECT",
            bytes: encoded(.publish(MQTTPublish(topic: "devices/intruder/messages/events/", payload: ByteBuffer(string: "hello"))))),
        MalformedInput(
            testDescription: "CONNECT header announcing 10 MB, body never sent",
            // Only the start of a CONNECT follows: a server that waited for the announced bytes
            // would hold the connection until its CONNECT deadline.
            bytes: [0x10] + remainingLength(10 * 1024 * 1024) + [0x00, 0x04] + Array("MQTT".utf8) + [0x04, 0x02, 0x00, 0x3C]),
    ]

    static let refusedConnects: [RefusedConnect] = [
        RefusedConnect(
            testDescription: "protocol level 3 → CONNACK 1",
            connect: MQTTConnect(protocolName: "MQTT", protocolLevel: 3, clientIdentifier: "legacy-device"),
            returnCode: .unacceptableProtocolVersion),
        RefusedConnect(
            testDescription: "empty client identifier → CONNACK 2",
            connect: MQTTConnect(cleanSession: true, clientIdentifier: ""),
            returnCode: .identifierRejected),
    ]

    @Test("Malformed input closes the connection without an answer; a fresh connection still gets a CONNACK",
          arguments: malformedInputs)
    func malformedInputClosesConnection(_ input: MalformedInput) async throws {
        let server = try await ServerProcess.start()
        for endpoint in ["dps", "hub-1"] {
            let client = try await server.mqttClient(endpoint)
            try await client.send(bytes: input.bytes)
            let event = try await client.nextEvent(timeout: Self.closeDeadline)
            #expect(event == .closed, "\(endpoint): expected the server to close, got \(event)")

            try await Self.expectServerStillServes(server, endpoint: endpoint)
        }
        #expect(try await server.stop() == .exited(0))
    }

    @Test("A refused CONNECT gets its CONNACK code, then the connection closes; the server keeps serving",
          arguments: refusedConnects)
    func refusedConnectGetsReturnCode(_ refused: RefusedConnect) async throws {
        let server = try await ServerProcess.start()
        for endpoint in ["dps", "hub-1"] {
            let client = try await server.mqttClient(endpoint)
            try await client.send(.connect(refused.connect))
            let answer = try await client.nextEvent(timeout: Self.closeDeadline)
            #expect(answer == .packet(.connAck(MQTTConnAck(sessionPresent: false, returnCode: refused.returnCode))),
                    "\(endpoint): got \(answer)")
            let after = try await client.nextEvent(timeout: Self.closeDeadline)
            #expect(after == .closed, "\(endpoint): expected a close after the refusal, got \(after)")

            try await Self.expectServerStillServes(server, endpoint: endpoint)
        }
        #expect(try await server.stop() == .exited(0))
    }

    /// A well-formed CONNECT on a new connection still gets its CONNACK (5: no such device yet).
    private static func expectServerStillServes(_ server: ServerProcess, endpoint: String) async throws {
        #expect(!server.hasExited, "the server died: \(server.stderrText)")
        let fresh = try await server.mqttClient(endpoint)
        try await fresh.send(.connect(MQTTConnect(clientIdentifier: "still-serving-\(endpoint)")))
        let answer = try await fresh.nextEvent(timeout: closeDeadline)
        #expect(answer == .packet(.connAck(MQTTConnAck(returnCode: .notAuthorized))), "\(endpoint): got \(answer)")
        await fresh.close()
    }

    /// The wire form of `packet`.
    private static func encoded(_ packet: MQTTPacket) -> [UInt8] {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    /// The MQTT variable-length encoding of `value` (spec section 2.2.3).
    private static func remainingLength(_ value: Int) -> [UInt8] {
        var bytes: [UInt8] = []
        var rest = value
        repeat {
            var byte = UInt8(rest % 128)
            rest /= 128
            if rest > 0 { byte |= 0x80 }
            bytes.append(byte)
        } while rest > 0
        return bytes
    }
}
