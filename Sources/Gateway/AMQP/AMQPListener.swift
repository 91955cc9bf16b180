import Logging
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// An AMQP-over-TLS listener (port 5671 by default) for one hub shard: TLS, the AMQP frame codec and the shard's AMQP
/// connection server (SASL, claims-based security, the Event Hubs-compatible endpoint and the service links), under
/// the same connection limits and handshake deadline as the MQTT listener.
public struct AMQPListener: Service {
    /// Where and how the listener serves.
    public struct Configuration: Sendable {
        /// A short name for logs (`hub-1`).
        public var name: String
        /// The address to bind.
        public var host: String
        /// The port to bind (0 picks a free one).
        public var port: Int
        /// Certificate and key.
        public var identity: TLSServerIdentity
        /// From TCP accept to a finished AMQP open exchange: an absolute deadline, not reset by reads.
        public var openTimeout: TimeAmount
        /// Shared by every listener: connections per source address and in total (refused before TLS). Nil: unlimited.
        public var connections: ConnectionLimiter?
        /// A context to take TLS settings from instead of `identity`, so the certificate can be replaced while running.
        public var reloadableContext: ReloadableTLSContext?

        /// Creates a configuration.
        public init(name: String, host: String, port: Int, identity: TLSServerIdentity, openTimeout: TimeAmount = .seconds(10),
                    reloadableContext: ReloadableTLSContext? = nil, connections: ConnectionLimiter? = nil) {
            self.name = name
            self.host = host
            self.port = port
            self.identity = identity
            self.openTimeout = openTimeout
            self.reloadableContext = reloadableContext
            self.connections = connections
        }
    }

    let configuration: Configuration
    let endpoint: AMQPHubEndpoint
    let logger: Logger
    let onBound: @Sendable (SocketAddress) async -> Void

    /// Creates a listener for `endpoint`; `onBound` is called once the socket accepts connections.
    public init(configuration: Configuration, endpoint: AMQPHubEndpoint, logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) {
        self.configuration = configuration
        self.endpoint = endpoint
        self.logger = logger
        self.onBound = onBound
    }

    /// AMQP over WebSockets (`/$servicebus/websocket`, subprotocol `AMQPWSB10`) for the shard's HTTPS listener, served
    /// like this listener's connections.
    public var webSocketTunnel: any WebSocketTunnel {
        AMQPWebSocketTunnel(server: connectionServer)
    }

    var connectionServer: AMQPConnectionServer {
        AMQPConnectionServer(name: configuration.name, openTimeout: configuration.openTimeout, endpoint: endpoint, logger: logger)
    }

    /// Binds, serves until graceful shutdown, then closes every connection.
    public func run() async throws {
        let amqp = connectionServer
        let registry = endpoint.connections
        try await TLSStreamListener(
            name: configuration.name, protocolName: "AMQP", host: configuration.host, port: configuration.port,
            identity: configuration.identity, reloadableContext: configuration.reloadableContext,
            connections: configuration.connections, logger: logger
        ).run(configure: { channel, certificates in try amqp.configure(channel, presentedCertificates: certificates) },
              serve: { await amqp.serve($0) }, closeAll: { registry.closeAll() }, onBound: onBound)
    }
}
