import MQTTCodec
import NIOCore
import NIOEmbedded
import Testing
@testable import Gateway

@Suite struct MQTTConnectionStateMachineTests {
    let connect = MQTTConnect(clientIdentifier: "dev1", username: "u", password: Array("p".utf8))

    @Test func connectIsAuthenticatedThenPingsAreAnswered() {
        var machine = MQTTConnectionStateMachine()
        #expect(machine.received(.connect(connect)) == .authenticate(connect))
        machine.authenticated(accepted: true)
        #expect(machine.received(.pingReq) == .sendPingResponse)
        #expect(machine.received(.disconnect) == .close(reason: "client disconnected"))
        #expect(machine.state == .closed)
    }

    @Test func packetsBeforeConnectClose() {
        var machine = MQTTConnectionStateMachine()
        let publish = MQTTPublish(topic: "a", payload: ByteBuffer(), qos: .atMostOnce, retain: false, duplicate: false, packetIdentifier: nil)
        #expect(machine.received(.publish(publish)) == .close(reason: "PUBLISH before CONNECT"))
    }

    @Test func wrongProtocolLevelIsRefusedWithCode1() {
        var machine = MQTTConnectionStateMachine()
        var old = connect
        old.protocolLevel = 3
        old.protocolName = "MQIsdp"
        guard case .refuse(let code, _) = machine.received(.connect(old)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(code == .unacceptableProtocolVersion)
    }

    @Test func emptyClientIdIsRejected() {
        var machine = MQTTConnectionStateMachine()
        var anonymous = connect
        anonymous.clientIdentifier = ""
        guard case .refuse(let code, _) = machine.received(.connect(anonymous)) else {
            Issue.record("expected a refusal")
            return
        }
        #expect(code == .identifierRejected)
    }

    @Test func secondConnectAndServerPacketsClose() {
        var machine = MQTTConnectionStateMachine()
        _ = machine.received(.connect(connect))
        machine.authenticated(accepted: true)
        #expect(machine.received(.connect(connect)) == .close(reason: "second CONNECT on one connection"))
        var other = MQTTConnectionStateMachine()
        _ = other.received(.connect(connect))
        other.authenticated(accepted: true)
        #expect(other.received(.connAck(MQTTConnAck(sessionPresent: false, returnCode: .accepted))) == .close(reason: "CONNACK is not a client packet here"))
    }

    @Test func qos2PublishCloses() {
        var machine = MQTTConnectionStateMachine()
        _ = machine.received(.connect(connect))
        machine.authenticated(accepted: true)
        let publish = MQTTPublish(topic: "a", payload: ByteBuffer(), qos: .exactlyOnce, retain: false, duplicate: false, packetIdentifier: 1)
        #expect(machine.received(.publish(publish)) == .close(reason: "QoS 2 is not supported"))
    }
}

@Suite struct ReadTimeoutHandlerTests {
    @Test func keepAliveClosesAfterSilenceAndResetsOnRead() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: ReadTimeoutHandler(timeout: .seconds(10)), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        // After the CONNECT (whose deadline is absolute, see ConnectionDeadlineTests) keep-alive counts from each read.
        channel.pipeline.triggerUserOutboundEvent(ReadTimeoutHandler.SetTimeout(timeout: .seconds(10)), promise: nil)
        loop.advanceTime(by: .seconds(9))
        #expect(channel.isActive)
        try channel.writeInbound(ByteBuffer(string: "x"))
        loop.advanceTime(by: .seconds(9))
        #expect(channel.isActive, "a read restarts the timer")
        loop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive, "closed after 10 s without a read")
    }

    @Test func keepAliveZeroDisablesTheTimeout() throws {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: ReadTimeoutHandler(timeout: .seconds(10)), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        channel.pipeline.triggerUserOutboundEvent(ReadTimeoutHandler.SetTimeout(timeout: nil), promise: nil)
        loop.advanceTime(by: .hours(1))
        #expect(channel.isActive)
        channel.pipeline.triggerUserOutboundEvent(ReadTimeoutHandler.SetTimeout(timeout: .milliseconds(1500)), promise: nil)
        loop.advanceTime(by: .milliseconds(1400))
        #expect(channel.isActive)
        loop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive)
    }
}
