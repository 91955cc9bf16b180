import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
import NIOTLS
import Testing
@testable import Gateway

/// The deadlines that keep slow or silent clients from pinning connections, on an embedded channel with virtual time.
@Suite struct ConnectionDeadlineTests {
    // MARK: MQTT CONNECT deadline

    func mqttChannel(timeout: TimeAmount) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ReadTimeoutHandler(timeout: timeout))
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 1)).wait()
        return channel
    }

    @Test func theConnectDeadlineIsAbsoluteHoweverBytesTrickleIn() throws {
        let channel = try mqttChannel(timeout: .seconds(10))
        for _ in 0..<9 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(1))
            try channel.writeInbound(ByteBuffer(bytes: [0x10]))
            _ = try channel.readInbound(as: ByteBuffer.self)
        }
        #expect(channel.isActive, "still within the deadline")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive, "a byte a second does not extend the CONNECT deadline")
    }

    @Test func afterConnectKeepAliveIsMeasuredFromTheLastRead() throws {
        let channel = try mqttChannel(timeout: .seconds(10))
        channel.embeddedEventLoop.advanceTime(by: .seconds(5))
        try channel.pipeline.triggerUserOutboundEvent(ReadTimeoutHandler.SetTimeout(timeout: .seconds(3))).wait()
        for _ in 0..<5 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(2))
            try channel.writeInbound(ByteBuffer(bytes: [0xC0, 0x00]))
            _ = try channel.readInbound(as: ByteBuffer.self)
        }
        #expect(channel.isActive, "reads within the keep-alive keep the connection, past the CONNECT deadline")
        channel.embeddedEventLoop.advanceTime(by: .seconds(3))
        #expect(!channel.isActive)
    }

    // MARK: HTTP deadlines

    static let timeouts = HTTPDeadlineHandler.Timeouts(handshake: .seconds(5), requestHead: .seconds(10), idle: .seconds(60))

    func httpChannel(_ timeouts: HTTPDeadlineHandler.Timeouts = Self.timeouts) throws -> EmbeddedChannel {
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(HTTPDeadlineHandler(timeouts: timeouts))
        try channel.connect(to: SocketAddress(ipAddress: "192.0.2.1", port: 1)).wait()
        return channel
    }

    func handshake(_ channel: EmbeddedChannel) {
        channel.pipeline.fireUserInboundEventTriggered(TLSUserEvent.handshakeCompleted(negotiatedProtocol: nil))
    }

    func request(_ channel: EmbeddedChannel, body: Bool = false) throws {
        try channel.writeInbound(HTTPRequestPart.head(HTTPRequest(method: .get, scheme: "https", authority: "x", path: "/health")))
        if !body { try channel.writeInbound(HTTPRequestPart.end(nil)) }
    }

    func respond(_ channel: EmbeddedChannel) throws {
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
    }

    @Test func aClientThatNeverFinishesTheHandshakeIsClosed() throws {
        let channel = try httpChannel()
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(4_999))
        #expect(channel.isActive)
        channel.embeddedEventLoop.advanceTime(by: .milliseconds(1))
        #expect(!channel.isActive)
    }

    @Test func theFirstRequestHeadMustArriveWithinItsTimeoutOfTheHandshake() throws {
        let channel = try httpChannel()
        channel.embeddedEventLoop.advanceTime(by: .seconds(4))
        handshake(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(9))
        #expect(channel.isActive, "the head timeout starts at the handshake")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive)
    }

    @Test func noDeadlineRunsWhileAResponseIsProducedThenTheIdleTimeoutDoes() throws {
        let channel = try httpChannel()
        handshake(channel)
        try request(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(600))
        #expect(channel.isActive, "a slow route is not cut off by the connection deadlines")
        try respond(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive)
        try request(channel)
        try respond(channel)
        channel.embeddedEventLoop.advanceTime(by: .seconds(59))
        #expect(channel.isActive, "a new request restarts the idle timeout")
        channel.embeddedEventLoop.advanceTime(by: .seconds(1))
        #expect(!channel.isActive, "idle keep-alive connections are closed")
    }

    @Test func aBodyMustKeepArriving() throws {
        let channel = try httpChannel()
        handshake(channel)
        try request(channel, body: true)
        for _ in 0..<3 {
            channel.embeddedEventLoop.advanceTime(by: .seconds(50))
            try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(bytes: [1])))
        }
        #expect(channel.isActive, "each body part within the idle timeout keeps it")
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(!channel.isActive, "a stalled body is cut off")
    }

    @Test func plainHTTPStartsWithTheRequestHeadTimeout() throws {
        let channel = try httpChannel(.init(handshake: nil, requestHead: .seconds(2), idle: .seconds(60)))
        channel.embeddedEventLoop.advanceTime(by: .seconds(2))
        #expect(!channel.isActive)
    }

    @Test func aRequestAnsweredBeforeItsBodyEndedStillGetsTheIdleTimeout() throws {
        let channel = try httpChannel()
        handshake(channel)
        try request(channel, body: true)
        try respond(channel)
        try channel.writeInbound(HTTPRequestPart.body(ByteBuffer(bytes: [1])))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        channel.embeddedEventLoop.advanceTime(by: .seconds(60))
        #expect(!channel.isActive, "the drained body does not leave the connection without a deadline")
    }
}
