import MQTTCodec
import NIOCore
import NIOSSL

/// Decides whether a CONNECT is admitted and, if so, which session serves the connection.
public protocol MQTTConnectAuthenticator: Sendable {
    /// Called once per connection with the CONNECT and the TLS client chain; must not throw.
    func authenticate(_ request: MQTTConnectRequest) async -> MQTTConnectDecision
}

/// Everything known about a connecting client when it sends CONNECT.
public struct MQTTConnectRequest: Sendable {
    /// The CONNECT packet.
    public var connect: MQTTConnect
    /// The chain presented in the TLS handshake, leaf first (empty without a client certificate).
    public var presentedCertificates: [NIOSSLCertificate]
    /// The peer address, for logs.
    public var remoteAddress: SocketAddress?
    /// Sends packets to this client once it is connected (C2D, method calls, twin patches).
    public var outbound: MQTTOutbound
}

/// The authenticator's answer.
public enum MQTTConnectDecision: Sendable {
    /// Admit the client; CONNACK 0 is sent and `session` receives its packets.
    case accept(any MQTTSession, sessionPresent: Bool)
    /// Refuse with a CONNACK return code; `reason` is logged, not sent.
    case refuse(MQTTConnectReturnCode, reason: String)
}

/// The server side of one admitted MQTT connection.
public protocol MQTTSession: Sendable {
    /// Handles a client PUBLISH; for QoS 1 the gateway sends PUBACK only after this returns (so it must return
    /// once the message is durable). Throwing closes the connection without PUBACK.
    func publish(_ message: MQTTPublish) async throws
    /// Handles SUBSCRIBE; returns one SUBACK code per filter.
    func subscribe(_ subscriptions: [MQTTSubscription]) async -> [MQTTSubAckReturnCode]
    /// Handles UNSUBSCRIBE.
    func unsubscribe(_ topicFilters: [String]) async
    /// The client acknowledged a QoS 1 message the server sent.
    func acknowledged(packetIdentifier: UInt16) async
    /// The connection ended (for any reason).
    func closed() async
    /// CONNACK was sent; a restored session may now deliver what waited.
    func connected() async
    /// SUBACK was sent; deliveries for the new subscriptions may start.
    func subscriptionsAcknowledged() async
    /// PUBLISH packets the connection completes on its event loop instead of calling ``publish(_:)``; nil for none.
    var publishFastPath: (any MQTTPublishFastPath)? { get }
}

extension MQTTSession {
    /// Nothing to do by default.
    public func connected() async {}
    /// Nothing to do by default.
    public func subscriptionsAcknowledged() async {}
    /// Every packet goes to ``publish(_:)`` by default.
    public var publishFastPath: (any MQTTPublishFastPath)? { nil }
}

/// Sends packets to one client; safe to use from any task.
public struct MQTTOutbound: Sendable {
    let writer: NIOAsyncChannelOutboundWriter<MQTTPacket>
    let channel: any Channel

    /// Writes one packet.
    public func send(_ packet: MQTTPacket) async throws {
        try await writer.write(packet)
    }

    /// Closes the connection.
    public func close() {
        channel.close(promise: nil)
    }

    /// Closes the connection at `deadline` unless it closed before (e.g. when its SAS token expires).
    public func close(at deadline: NIODeadline) {
        let channel = self.channel
        channel.eventLoop.scheduleTask(deadline: deadline) { channel.close(promise: nil) }
    }
}

/// Refuses every client with one code; the endpoint's answer while nothing can be authenticated there.
public struct RefusingAuthenticator: MQTTConnectAuthenticator {
    let code: MQTTConnectReturnCode
    let reason: String

    /// Creates an authenticator that always answers `code`.
    public init(code: MQTTConnectReturnCode = .notAuthorized, reason: String) {
        self.code = code
        self.reason = reason
    }

    /// Refuses.
    public func authenticate(_ request: MQTTConnectRequest) async -> MQTTConnectDecision {
        .refuse(code, reason: reason)
    }
}
