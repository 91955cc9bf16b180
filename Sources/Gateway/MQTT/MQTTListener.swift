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

    private typealias Connection = (channel: NIOAsyncChannel<MQTTPacket, MQTTPacket>, chain: PresentedCertificateChain,
                                    fastPath: NIOLoopBound<MQTTPublishFastPathHandler>)

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

    /// Binds, serves until graceful shutdown, then closes every connection.
    public func run() async throws {
        let address = "\(configuration.host):\(configuration.port)"
        let sslContexts: ReloadableTLSContext
        do {
            sslContexts = try configuration.reloadableContext ?? ReloadableTLSContext(identity: configuration.identity)
        } catch {
            throw GatewayError(.invalidTLSIdentity, "\(configuration.name): cannot load the TLS certificate: \(error)")
        }
        let limits = configuration.limits
        let connectTimeout = configuration.connectTimeout
        let (connectionLimiter, telemetryBudget) = (configuration.connections, configuration.telemetryBudget)
        let (listenerName, logger) = (configuration.name, self.logger)
        let server: NIOAsyncChannel<Connection, Never>
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
                        try sync.addHandler(ReadTimeoutHandler(timeout: connectTimeout))
                        try sync.addHandler(ByteToMessageHandler(MQTTPacketDecoder(limits: limits)))
                        let fastPath = MQTTPublishFastPathHandler(budget: telemetryBudget)
                        try sync.addHandler(fastPath)
                        try sync.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
                        let asyncChannel = try NIOAsyncChannel<MQTTPacket, MQTTPacket>(wrappingChannelSynchronously: channel)
                        return (asyncChannel, chain, NIOLoopBound(fastPath, eventLoop: channel.eventLoop))
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
                        group.addTask { await self.serve(connection) }
                    }
                }
            }
        } onGracefulShutdown: {
            server.channel.close(promise: nil)
            registry.closeAll()
        }
    }

    private func serve(_ connection: Connection) async {
        let channel = connection.channel.channel
        guard registry.track(channel) else {
            // Shutting down: close without serving (executeThenClose also finishes the channel's writer).
            try? await connection.channel.executeThenClose { _, _ in }
            return
        }
        var logger = self.logger
        logger[metadataKey: "gateway.listener"] = "\(configuration.name)"
        logger[metadataKey: "gateway.peer"] = "\(channel.remoteAddress.map { "\($0)" } ?? "?")"
        var clientId: String?
        var session: (any MQTTSession)?
        do {
            try await connection.channel.executeThenClose { inbound, outbound in
                var machine = MQTTConnectionStateMachine()
                for try await packet in inbound {
                    switch machine.received(packet) {
                    case .authenticate(let connect):
                        let request = MQTTConnectRequest(
                            connect: connect,
                            presentedCertificates: connection.chain.certificates,
                            remoteAddress: channel.remoteAddress,
                            outbound: MQTTOutbound(writer: outbound, channel: channel)
                        )
                        switch await authenticator.authenticate(request) {
                        case .accept(let accepted, let sessionPresent):
                            machine.authenticated(accepted: true)
                            session = accepted
                            clientId = connect.clientIdentifier
                            logger[metadataKey: "gateway.client_id"] = "\(connect.clientIdentifier)"
                            registry.claim(clientId: connect.clientIdentifier, for: channel)?.close(promise: nil)
                            if let path = accepted.publishFastPath {
                                let handler = connection.fastPath
                                try await channel.eventLoop.submit { handler.value.activate(path) }.get()
                            }
                            try await outbound.write(.connAck(MQTTConnAck(sessionPresent: sessionPresent, returnCode: .accepted)))
                            let keepAlive: TimeAmount? = connect.keepAliveSeconds == 0
                                ? nil : .milliseconds(Int64(connect.keepAliveSeconds) * 1500)
                            try await channel.triggerUserOutboundEvent(ReadTimeoutHandler.SetTimeout(timeout: keepAlive))
                            logger.debug("MQTT client connected")
                            await accepted.connected()
                        case .refuse(let code, let reason):
                            machine.authenticated(accepted: false)
                            logger.info("MQTT CONNECT refused", metadata: ["gateway.connack": "\(code.rawValue)", "gateway.reason": "\(reason)"])
                            try await outbound.write(.connAck(MQTTConnAck(sessionPresent: false, returnCode: code)))
                            return
                        }
                    case .refuse(let code, let reason):
                        logger.info("MQTT CONNECT refused", metadata: ["gateway.connack": "\(code.rawValue)", "gateway.reason": "\(reason)"])
                        try await outbound.write(.connAck(MQTTConnAck(sessionPresent: false, returnCode: code)))
                        return
                    case .sendPingResponse:
                        try await outbound.write(.pingResp)
                    case .deliver(let packet):
                        guard let session else { return }
                        try await deliver(packet, to: session, outbound: outbound)
                    case .close(let reason):
                        logger.debug("MQTT connection closing", metadata: ["gateway.reason": "\(reason)"])
                        return
                    }
                }
            }
        } catch {
            logger.debug("MQTT connection ended", metadata: ["gateway.reason": "\(error)"])
        }
        registry.release(channel, clientId: clientId)
        channel.close(promise: nil)
        await session?.closed()
    }

    private func deliver(_ packet: MQTTPacket, to session: any MQTTSession,
                         outbound: NIOAsyncChannelOutboundWriter<MQTTPacket>) async throws {
        switch packet {
        case .publish(let publish):
            try await session.publish(publish)
            if publish.qos == .atLeastOnce, let id = publish.packetIdentifier {
                try await outbound.write(.pubAck(packetIdentifier: id))
            }
        case .subscribe(let subscribe):
            let codes = await session.subscribe(subscribe.subscriptions)
            try await outbound.write(.subAck(MQTTSubAck(packetIdentifier: subscribe.packetIdentifier, returnCodes: codes)))
            await session.subscriptionsAcknowledged()
        case .unsubscribe(let unsubscribe):
            await session.unsubscribe(unsubscribe.topicFilters)
            try await outbound.write(.unsubAck(packetIdentifier: unsubscribe.packetIdentifier))
        case .pubAck(let id):
            await session.acknowledged(packetIdentifier: id)
        default:
            break
        }
    }
}
