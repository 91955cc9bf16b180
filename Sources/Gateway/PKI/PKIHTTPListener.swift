import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import PKI
import ServiceLifecycle

/// The plain-HTTP listener for CRLs and OCSP, on the DPS address: the URLs in every issued certificate's CDP
/// and AIA extensions point here. Plain HTTP on purpose: CRLs and OCSP answers are signed, and clients that fetch
/// them must not need TLS (whose own validation may depend on them).
public struct PKIHTTPListener: Service {
    let host: String
    let port: Int
    let responder: RouterResponder<BasicRequestContext>
    let limits: ListenerLimits
    let logger: Logger
    let onBound: @Sendable (SocketAddress) async -> Void

    /// Creates the listener for `authority`; `onBound` is called once the socket accepts connections.
    public init(host: String, port: Int, authority: RevocationAuthority, limits: ListenerLimits = ListenerLimits(), logger: Logger,
                onBound: @escaping @Sendable (SocketAddress) async -> Void = { _ in }) {
        self.host = host
        self.port = port
        let router = Router(context: BasicRequestContext.self)
        router.get("health") { _, _ in "ok" }
        RevocationHTTPRoutes.add(to: router, authority: authority)
        self.responder = router.buildResponder()
        self.limits = limits
        self.logger = logger
        self.onBound = onBound
    }

    /// Serves until graceful shutdown.
    public func run() async throws {
        let onBound = self.onBound
        let (limits, logger) = (self.limits, self.logger)
        let timeouts = limits.httpTimeouts(tls: false)
        let application = Application(
            responder: BodySizeLimitResponder(inner: responder, maximumBytes: ProvisioRequestContext.maximumBodyBytes),
            server: HTTPServerBuilder { responder in
                ConnectionLimitedChannel(
                    base: HTTP1Channel(responder: responder, configuration: .init(
                        additionalChannelHandlers: [HTTPDeadlineHandler(timeouts: timeouts)])),
                    limiter: limits.connections, listener: "dps/pki", logger: logger)
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
