import Logging
import MQTTCodec
import NIOCore
import NIOPosix
import NIOSSL
import ServiceLifecycle

/// An MQTT-over-TLS listener (port 8883 by default): TLS, codec, the connection rules, keep-alive, one
/// connection per client id; what a connection may do is up to its `MQTTConnectAuthenticator`.
public struct MQTTListener: Service {
    /// Where and how the listener serves.
    public struct Configuration: Sendable {
        /// A short name for logs (`dps`, `hub-1`).
        public var name: String
        /// The address to bind.
        public var host: String
        /// The port to bind (0 picks a free one).
        public var port: Int
        /// Certificate and key.
        public var identity: TLSServerIdentity
        /// Codec limits (maximum packet size, topic length).
        public var limits: MQTTCodecLimits
        /// How long a client has from TCP accept to an accepted CONNECT: an absolute deadline, not reset by reads.
        public var connectTimeout: TimeAmount
        /// Shared by every listener: connections per source address and in total (refused before TLS). Nil: unlimited.
        public var connections: ConnectionLimiter?
        /// Shared by every listener: telemetry read but not yet committed, per connection and in total.
        public var telemetryBudget: UncommittedTelemetryBudget
        /// A context to take TLS settings from instead of `identity`, so the certificate can be replaced while running.
        public var reloadableContext: ReloadableTLSContext?

        /// Creates a configuration.
        public init(name: String, host: String, port: Int, identity: TLSServerIdentity,
                    limits: MQTTCodecLimits = .init(), connectTimeout: TimeAmount = .seconds(10),
                    reloadableContext: ReloadableTLSContext? = nil, connections: ConnectionLimiter? = nil,
                    telemetryBudget: UncommittedTelemetryBudget = UncommittedTelemetryBudget()) {
            self.name = name
            self.host = host
            self.port = port
            self.identity = identity
            self.limits = limits
            self.connectTimeout = connectTimeout
            self.reloadableContext = reloadableContext
            self.connections = connections
            self.telemetryBudget = telemetryBudget
        }
    }

    let configuration: Configuration
    let authenticator: any MQTTConnectAuthenticator
    /// The listener's connections; shared with whoever needs to know who is online.
    public let registry: MQTTSessionRegistry
    let logger: Logger
    let onBound: @Sendable (SocketAddress) async -> Void

    /// Creates a listener; `onBound` is called once the socket accepts connections.
    public init(configuration: Configuration, authenticator: any MQTTConnectAuthenticator,
                registry: MQTTSessionRegistry = MQTTSessionRegistry(), logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) {
        self.configuration = configuration
        self.authenticator = authenticator
        self.registry = registry
        self.logger = logger
        self.onBound = onBound
    }

    /// MQTT over WebSockets for the endpoint's HTTPS listener, served like this listener's connections (same
    /// authenticator, limits and client-id registry).
    public var webSocketTunnel: any WebSocketTunnel {
        MQTTWebSocketTunnel(server: connectionServer)
    }

    /// How this listener's connections are served (shared with the MQTT-over-WebSocket tunnel of the same endpoint).
    var connectionServer: MQTTConnectionServer {
        MQTTConnectionServer(name: configuration.name, limits: configuration.limits, connectTimeout: configuration.connectTimeout,
                             telemetryBudget: configuration.telemetryBudget, authenticator: authenticator, registry: registry,
                             logger: logger)
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
        let mqtt = connectionServer
        let server: NIOAsyncChannel<MQTTConnectionServer.Connection, Never>
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
                        return try mqtt.configure(channel, presentedCertificates: { chain.certificates })
                    }
                }
        } catch {
            throw GatewayError.listenFailure(address, error)
        }
        if let bound = server.channel.localAddress { await onBound(bound) }
        logger.info("MQTT listener up", metadata: ["gateway.listener": "\(configuration.name)", "gateway.address": "\(server.channel.localAddress.map { "\($0)" } ?? address)"])

        let registry = self.registry
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try await server.executeThenClose { connections in
                    for try await connection in connections {
                        group.addTask { await mqtt.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            registry.closeAll()
        }
    }
}
