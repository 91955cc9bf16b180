import NIOCore
import NIOSSL

/// MQTT over WebSockets (`wss://{host}/$iothub/websocket`, subprotocol `mqtt`), as the Azure device SDKs use it with
/// `websockets=True`: the same connection server as the endpoint's port 8883 — authentication, limits, one
/// connection per client id — behind the WebSocket instead of raw TLS.
struct MQTTWebSocketTunnel: WebSocketTunnel {
    /// The path the Azure SDKs dial, for IoT Hub and DPS alike.
    static let path = "/$iothub/websocket"

    let server: MQTTConnectionServer

    var subprotocol: String { "mqtt" }

    func accepts(path: String) -> Bool {
        path.lowercased() == Self.path || path.lowercased() == Self.path + "/"
    }

    func configure(_ channel: any Channel, presentedCertificates: [NIOSSLCertificate]) throws -> WebSocketTunnelSession {
        let connection = try server.configure(channel, presentedCertificates: { presentedCertificates })
        let server = self.server
        return WebSocketTunnelSession { await server.serve(connection) }
    }
}
