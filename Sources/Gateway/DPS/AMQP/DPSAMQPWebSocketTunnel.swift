import NIOCore
import NIOSSL

/// DPS over AMQP over WebSockets (subprotocol `AMQPWSB10`) on the DPS HTTPS listener: `/$iothub/websocket` (C SDK),
/// `/$servicebus/websocket/` (uamqp's fixed path) and the bare `/` the C# SDK dials, with or without a trailing slash,
/// served like the AMQP port's connections.
struct DPSAMQPWebSocketTunnel: WebSocketTunnel {
    let server: DPSAMQPConnectionServer

    var subprotocol: String { "AMQPWSB10" }

    func accepts(path: String) -> Bool {
        ["/$iothub/websocket", "/$iothub/websocket/", "/$servicebus/websocket", "/$servicebus/websocket/", "/", ""].contains(path.lowercased())
    }

    func configure(_ channel: any Channel, presentedCertificates: [NIOSSLCertificate]) throws -> WebSocketTunnelSession {
        let connection = try server.configure(channel, presentedCertificates: { presentedCertificates })
        let server = self.server
        return WebSocketTunnelSession { await server.serve(connection) }
    }
}
