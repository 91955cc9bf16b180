import NIOCore
import NIOSSL

/// A protocol that travels inside WebSockets on an HTTPS listener (`wss://{host}/$iothub/websocket`): MQTT with
/// subprotocol `mqtt`, AMQP with `AMQPWSB10`. After the upgrade the channel carries the protocol's bytes as
/// `ByteBuffer`s (`WebSocketByteStreamHandler` unwraps the frames); the tunnel adds its own handlers behind them.
public protocol WebSocketTunnel: Sendable {
    /// The `Sec-WebSocket-Protocol` value this tunnel speaks (compared case-insensitively).
    var subprotocol: String { get }

    /// Whether a request for `path` (without the query) is for this tunnel.
    func accepts(path: String) -> Bool

    /// Adds the protocol's handlers behind the byte stream (on the channel's event loop) and returns the session to
    /// run; `presentedCertificates` are the client's TLS certificates, leaf first.
    func configure(_ channel: any Channel, presentedCertificates: [NIOSSLCertificate]) throws -> WebSocketTunnelSession
}

/// A connection inside a WebSocket, configured and ready to be served.
public struct WebSocketTunnelSession: Sendable {
    /// Serves the connection until it ends.
    public let run: @Sendable () async -> Void

    /// Creates a session that `run` serves.
    public init(run: @escaping @Sendable () async -> Void) {
        self.run = run
    }
}
