import Foundation
import HTTPTypes
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import NIOHTTPTypesHTTP1
import NIOSSL
import NIOWebSocket

/// Hummingbird's HTTP/1.1 child channel that also upgrades WebSocket requests for a tunnelled protocol (MQTT or
/// AMQP over WebSockets on the HTTPS port, as the Azure SDKs use it). The first request of a connection decides:
/// a WebSocket upgrade whose path and `Sec-WebSocket-Protocol` a tunnel accepts becomes that protocol's
/// connection; a WebSocket upgrade no tunnel takes (unknown path or subprotocol) is answered 400 and closed, as the
/// request cannot continue as plain HTTP; anything else is served as HTTP by the router.
///
/// From accept until that decision one absolute deadline runs (TLS handshake plus request head); the HTTP path then
/// gets the usual `HTTPDeadlineHandler`, and a tunnel its own protocol deadlines.
struct WebSocketTunnelingHTTPChannel: ServerChildChannel, HTTPChannelHandler {
    /// What the first request turned the connection into.
    enum UpgradeResult: Sendable {
        case http(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case refusedUpgrade(NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>)
        case tunnel(WebSocketTunnelSession)
    }

    /// The connection while its first request decides.
    struct Value: ServerChildChannelValue {
        let upgradeResult: EventLoopFuture<UpgradeResult>
        let channel: any Channel
    }

    /// The largest WebSocket frame accepted from a client (the tunnelled protocol has its own message limits).
    static let maximumFrameSize = 1 << 20
    private static let upgradeDeadlineName = "provisio.websocket-upgrade-deadline"

    let responder: HTTPChannelHandler.Responder
    let tunnels: [any WebSocketTunnel]
    let additionalHTTPHandlers: @Sendable () -> [any RemovableChannelHandler]
    /// From accept to the first request head (TLS handshake included).
    let upgradeDeadline: TimeAmount

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            let sync = channel.pipeline.syncOperations
            try sync.addHandler(ReadTimeoutHandler(timeout: upgradeDeadline), name: Self.upgradeDeadlineName)
            let tunnels = self.tunnels
            let upgradeAttempted = NIOLoopBoundBox(false, eventLoop: channel.eventLoop)
            let upgrader = NIOTypedWebSocketServerUpgrader<UpgradeResult>(
                maxFrameSize: Self.maximumFrameSize,
                shouldUpgrade: { channel, head in
                    upgradeAttempted.value = true
                    guard let tunnel = Self.tunnel(for: head, in: tunnels) else { return channel.eventLoop.makeSucceededFuture(nil) }
                    return channel.eventLoop.makeSucceededFuture(HTTPHeaders([("Sec-WebSocket-Protocol", tunnel.subprotocol)]))
                },
                upgradePipelineHandler: { channel, head in
                    channel.eventLoop.makeCompletedFuture {
                        guard let tunnel = Self.tunnel(for: head, in: tunnels) else {
                            throw GatewayError(.protocolViolation, "no WebSocket tunnel for \(head.uri)")
                        }
                        let sync = channel.pipeline.syncOperations
                        sync.removeHandler(name: Self.upgradeDeadlineName, promise: nil)
                        try sync.addHandler(WebSocketByteStreamHandler())
                        let certificates = (try? sync.nioSSL_peerValidatedCertificateChain()).flatMap { $0.map { Array($0) } } ?? []
                        return .tunnel(try tunnel.configure(channel, presentedCertificates: certificates))
                    }
                })
            let additionalHTTPHandlers = self.additionalHTTPHandlers
            let upgrade = NIOTypedHTTPServerUpgradeConfiguration<UpgradeResult>(
                upgraders: [upgrader],
                notUpgradingCompletionHandler: { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        sync.removeHandler(name: Self.upgradeDeadlineName, promise: nil)
                        try sync.addHandler(HTTP1ToHTTPServerCodec(secure: false))
                        try sync.addHandlers(additionalHTTPHandlers())
                        try sync.addHandler(HTTPConnectionStateHandler(idleTimeout: nil, logger: logger))
                        let http = try NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>(
                            wrappingChannelSynchronously: channel, configuration: .init(isOutboundHalfClosureEnabled: true))
                        return upgradeAttempted.value ? .refusedUpgrade(http) : .http(http)
                    }
                })
            var configuration = NIOUpgradableHTTPServerPipelineConfiguration<UpgradeResult>(upgradeConfiguration: upgrade)
            configuration.enablePipelining = false  // NIOAsyncChannel serves requests in order
            configuration.enableErrorHandling = false  // Hummingbird answers protocol errors
            configuration.enableResponseHeaderValidation = false  // HTTPTypes validates fields already
            let result = try sync.configureUpgradableHTTPServerPipeline(configuration: configuration)
            return Value(upgradeResult: result, channel: channel)
        }
    }

    func handle(value: Value, logger: Logger) async {
        do {
            switch try await value.upgradeResult.get() {
            case .http(let channel):
                await handleHTTP(asyncChannel: channel, logger: logger)
            case .refusedUpgrade(let channel):
                try await channel.executeThenClose { _, outbound in
                    let head = HTTPResponse(status: .badRequest, headerFields: [.connection: "close", .contentLength: "0"])
                    try await outbound.write(contentsOf: [.head(head), .end(nil)])
                }
            case .tunnel(let session):
                await session.run()
            }
        } catch {
            logger.debug("connection ended before its first request was served", metadata: ["gateway.reason": "\(error)"])
            try? await value.channel.close()
        }
    }

    /// The tunnel a WebSocket upgrade asks for: its path, and one of the subprotocols the client offers.
    static func tunnel(for head: HTTPRequestHead, in tunnels: [any WebSocketTunnel]) -> (any WebSocketTunnel)? {
        let path = head.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first.map(String.init) ?? head.uri
        let offered = head.headers["Sec-WebSocket-Protocol"]
            .flatMap { $0.split(separator: ",") }
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
        return tunnels.first { tunnel in tunnel.accepts(path: path) && offered.contains(tunnel.subprotocol.lowercased()) }
    }
}
