import NIOCore
import NIOSSL

/// AMQP over WebSockets (subprotocol `AMQPWSB10`) on the shard's HTTPS listener: `/$servicebus/websocket` (with or
/// without the trailing slash uamqp adds) for Event Hubs and the service clients, `/$iothub/websocket` for devices —
/// the same connection server as the shard's port 5671 behind the WebSocket instead of raw TLS.
struct AMQPWebSocketTunnel: WebSocketTunnel {
    let server: AMQPConnectionServer

    var subprotocol: String { "AMQPWSB10" }

    func accepts(path: String) -> Bool {
        let lowered = path.lowercased()
        return ["/$servicebus/websocket", "/$servicebus/websocket/", "/$iothub/websocket", "/$iothub/websocket/"].contains(lowered)
    }

    func configure(_ channel: any Channel, presentedCertificates: [NIOSSLCertificate]) throws -> WebSocketTunnelSession {
        let connection = try server.configure(channel, presentedCertificates: { presentedCertificates })
        let server = self.server
        return WebSocketTunnelSession { await server.serve(connection) }
    }
}
