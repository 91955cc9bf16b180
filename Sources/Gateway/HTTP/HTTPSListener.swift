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
    let fallbackPort: Int?
    let identity: TLSServerIdentity
    let reloadableContext: ReloadableTLSContext?
    let responder: RouterResponder<ProvisioRequestContext>
    let limits: ListenerLimits
    let tunnels: [any WebSocketTunnel]
    let logger: Logger
    let onBound: @Sendable (SocketAddress) async -> Void

    /// Creates a listener serving `router`; `onBound` is called once the socket accepts connections. With
    /// `reloadableContext` the TLS settings come from it (and may be replaced while running) instead of `identity`.
    /// `tunnels` are the protocols served over WebSockets on this listener (MQTT, AMQP). With `fallbackPort`, a bind of
    /// `port` refused for lack of privilege (EACCES, e.g. 443 as an ordinary user) binds `fallbackPort` instead and
    /// logs a warning; `onBound` then reports the fallback address.
    public init(name: String, host: String, port: Int, fallbackPort: Int? = nil, identity: TLSServerIdentity,
                reloadableContext: ReloadableTLSContext? = nil,
                router: Router<ProvisioRequestContext>, limits: ListenerLimits = ListenerLimits(),
                tunnels: [any WebSocketTunnel] = [], logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) {
        self.name = name
        self.host = host
        self.port = port
        self.fallbackPort = fallbackPort
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
        do {
            try await serve(tls: tls, port: port)
        } catch {
            guard let fallbackPort, PrivilegedPortFallback.isPermissionDenied(error) else {
                throw GatewayError.listenFailure("\(host):\(port)", error)
            }
            logger.warning("binding HTTPS port \(port) was refused (no privilege); HTTPS and WebSockets listen on \(fallbackPort) instead",
                           metadata: ["provisio.listener": "\(name)", "provisio.port": "\(fallbackPort)"])
            do {
                try await serve(tls: tls, port: fallbackPort)
            } catch {
                throw GatewayError.listenFailure("\(host):\(fallbackPort)", error)
            }
        }
    }

    /// Runs the HTTP application on `port` until graceful shutdown.
    private func serve(tls: ReloadableTLSContext, port: Int) async throws {
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
        try await application.run()
    }
}
