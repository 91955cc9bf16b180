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
        let address = "\(configuration.host):\(configuration.port)"
        let sslContexts: ReloadableTLSContext
        do {
            sslContexts = try configuration.reloadableContext ?? ReloadableTLSContext(identity: configuration.identity)
        } catch {
            throw GatewayError(.invalidTLSIdentity, "\(configuration.name): cannot load the TLS certificate: \(error)")
        }
        let connectionLimiter = configuration.connections
        let (listenerName, logger) = (configuration.name, self.logger)
        let amqp = connectionServer
        let server: NIOAsyncChannel<AMQPConnectionServer.Connection, Never>
        do {
            server = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .serverChannelOption(.backlog, value: 512)
                .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
                .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
                .bind(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let chain = PresentedCertificateChain()
                        let sync = channel.pipeline.syncOperations
                        if let connectionLimiter {
                            try sync.addHandler(ConnectionLimitHandler(limiter: connectionLimiter, listener: listenerName, logger: logger))
                        }
                        try sync.addHandler(NIOSSLServerHandler(context: sslContexts.context, customVerificationCallback: chain.makeVerificationCallback()))
                        return try amqp.configure(channel, presentedCertificates: { chain.certificates })
                    }
                }
        } catch {
            throw GatewayError.listenFailure(address, error)
        }
        if let bound = server.channel.localAddress { await onBound(bound) }
        logger.info("AMQP listener up", metadata: ["gateway.listener": "\(configuration.name)", "gateway.address": "\(server.channel.localAddress.map { "\($0)" } ?? address)"])

        let registry = endpoint.connections
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await amqp.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            registry.closeAll()
        }
    }
}
