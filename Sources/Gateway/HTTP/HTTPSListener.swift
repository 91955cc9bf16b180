import Hummingbird
import HummingbirdCore
import HummingbirdTLS
import Logging
import NIOCore
import NIOSSL
import ServiceLifecycle

/// An HTTPS listener (Hummingbird) on one address, using the same TLS setup as the MQTT listeners.
public struct HTTPSListener: Service {
    let name: String
    let host: String
    let port: Int
    let identity: TLSServerIdentity
    let reloadableContext: ReloadableTLSContext?
    let responder: RouterResponder<ProvisioRequestContext>
    let limits: ListenerLimits
    let tunnels: [any WebSocketTunnel]
    let logger: Logger
    let onBound: @Sendable (SocketAddress) async -> Void

    /// Creates a listener serving `router`; `onBound` is called once the socket accepts connections. With
    /// `reloadableContext` the TLS settings come from it (and may be replaced while running) instead of `identity`.
    /// `tunnels` are the protocols served over WebSockets on this listener (MQTT, AMQP).
    public init(name: String, host: String, port: Int, identity: TLSServerIdentity,
                reloadableContext: ReloadableTLSContext? = nil,
                router: Router<ProvisioRequestContext>, limits: ListenerLimits = ListenerLimits(),
                tunnels: [any WebSocketTunnel] = [], logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) {
        self.name = name
        self.host = host
        self.port = port
        self.identity = identity
        self.reloadableContext = reloadableContext
        // A Router is a mutable builder; the frozen responder is the Sendable product.
        self.responder = router.buildResponder()
        self.limits = limits
        self.tunnels = tunnels
        self.logger = logger
        self.onBound = onBound
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let tls: ReloadableTLSContext
        do {
            tls = try reloadableContext ?? ReloadableTLSContext(identity: identity)
        } catch {
            throw GatewayError(.invalidTLSIdentity, "\(name): cannot load the TLS certificate: \(error)")
        }
        let onBound = self.onBound
        let (limits, name, logger, tunnels) = (self.limits, self.name, self.logger, self.tunnels)
        let timeouts = limits.httpTimeouts(tls: true)
        let application = Application(
            responder: BodySizeLimitResponder(inner: responder, maximumBytes: ProvisioRequestContext.maximumBodyBytes),
            server: HTTPServerBuilder { responder in
                // Connection limit first (refused before TLS), then TLS, HTTP and the handshake/head/idle deadlines.
                let http = WebSocketTunnelingHTTPChannel(
                    responder: responder, tunnels: tunnels,
                    additionalHTTPHandlers: { [HTTPDeadlineHandler(timeouts: timeouts)] },
                    upgradeDeadline: (timeouts.handshake ?? .zero) + timeouts.requestHead)
                return ConnectionLimitedChannel(base: ClientChainTLSChannel(http, tlsContext: tls),
                                                limiter: limits.connections, listener: name, logger: logger)
            },
            configuration: ApplicationConfiguration(address: .hostname(host, port: port), serverName: "provisio"),
            onServerRunning: { channel in
                if let address = channel.localAddress { await onBound(address) }
            },
            logger: logger
        )
        do {
            try await application.run()
        } catch {
            throw GatewayError.listenFailure("\(host):\(port)", error)
        }
    }
}
