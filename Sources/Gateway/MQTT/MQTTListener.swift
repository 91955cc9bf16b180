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
        let mqtt = connectionServer
        let registry = self.registry
        try await TLSStreamListener(
            name: configuration.name, protocolName: "MQTT", host: configuration.host, port: configuration.port,
            identity: configuration.identity, reloadableContext: configuration.reloadableContext,
            connections: configuration.connections, logger: logger
        ).run(configure: { channel, certificates in try mqtt.configure(channel, presentedCertificates: certificates) },
              serve: { await mqtt.serve($0) }, closeAll: { registry.closeAll() }, onBound: onBound)
    }
}
