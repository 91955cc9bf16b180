import MQTTCodec
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import NIOWebSocket

/// Many publishing connections to one broker, connected first and then started together, so the measured
/// window holds only publishing.
struct TelemetryFleet {
    /// One connection to open.
    struct Member: Sendable {
        var host: String
        var port: Int
        var plan: TelemetryPlan
        /// MQTT inside a WebSocket at this path (`/$iothub/websocket`) instead of raw MQTT over TLS.
        var webSocketPath: String? = nil
    }

    /// Result of a run.
    struct Result: Sendable {
        var messages: Int
        var failures: Int
        var firstError: String?
        var elapsed: Duration
        var latencies: LatencySamples
        var cpu: CPUWindow.Usage
    }

    /// Connects every member, starts them together and waits until every message is acknowledged.
    static func run(members: [Member], tls: NIOSSLContext, brokerPID: Int32?) async throws -> Result {
        typealias Link = (channel: any Channel, connected: EventLoopFuture<Void>, finished: EventLoopFuture<LatencySamples>)
        var links: [Link] = []
        for member in members {
            let loop = MultiThreadedEventLoopGroup.singleton.next()
            let connected = loop.makePromise(of: Void.self)
            let finished = loop.makePromise(of: LatencySamples.self)
            let serverHostname = ClientTLS.serverHostname(for: member.host)
            let plan = member.plan
            let channel = try await ClientBootstrap(group: loop)
                .connectTimeout(.seconds(10))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.eventLoop.makeCompletedFuture {
                        let sync = channel.pipeline.syncOperations
                        try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                        try sync.addHandler(IdleStateHandler(readTimeout: .seconds(60)))
                        try sync.addHandler(IdleCloseHandler())
                        guard let path = member.webSocketPath else {
                            try sync.addHandler(ByteToMessageHandler(MQTTPacketDecoder()))
                            try sync.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
                            try sync.addHandler(TelemetryPublisher(plan: plan, connected: connected, finished: finished))
                            return
                        }
                        let upgraded = try sync.configureUpgradableHTTPClientPipeline(configuration: .init(
                            upgradeConfiguration: Self.webSocketUpgrade(host: member.host, path: path) { channel in
                                channel.eventLoop.makeCompletedFuture {
                                    let sync = channel.pipeline.syncOperations
                                    try sync.addHandler(WebSocketClientByteStream())
                                    try sync.addHandler(ByteToMessageHandler(MQTTPacketDecoder()))
                                    try sync.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
                                    try sync.addHandler(TelemetryPublisher(plan: plan, connected: connected, finished: finished))
                                    return true
                                }
                            }))
                        upgraded.whenSuccess { accepted in
                            // The upgrade handler has removed the HTTP handlers by now: MQTT may start.
                            guard accepted else {
                                return connected.fail(BenchmarkError("the server refused the WebSocket upgrade at \(path)"))
                            }
                            channel.triggerUserOutboundEvent(TelemetryPublisher.SendConnect(), promise: nil)
                        }
                        upgraded.whenFailure { connected.fail($0) }
                    }
                }
                .connect(to: try SocketAddress(ipAddress: member.host, port: member.port))
                .get()
            links.append((channel, connected.futureResult, finished.futureResult))
        }
        for link in links {
            do {
                try await link.connected.get()
            } catch {
                for other in links { try? await other.channel.close() }
                throw BenchmarkError("a telemetry device could not connect: \(error)")
            }
        }
        let window = CPUWindow(serverPID: brokerPID)
        let start = ContinuousClock.now
        for link in links { link.channel.triggerUserOutboundEvent(StartPublishing(), promise: nil) }
        var latencies = LatencySamples()
        var failures = 0
        var firstError: String?
        for link in links {
            do {
                latencies.merge(try await link.finished.get())
            } catch {
                failures += 1
                firstError = firstError ?? "\(error)"
            }
        }
        let end = ContinuousClock.now
        let cpu = window.finish()
        for link in links {
            link.channel.writeAndFlush(MQTTPacket.disconnect, promise: nil)
            try? await link.channel.close()
        }
        return Result(messages: latencies.count, failures: failures, firstError: firstError, elapsed: end - start,
                      latencies: latencies, cpu: cpu)
    }

    /// A WebSocket upgrade offering subprotocol `mqtt`, as the Azure device SDKs send it; true once upgraded.
    private static func webSocketUpgrade(
        host: String, path: String, upgraded: @escaping @Sendable (any Channel) -> EventLoopFuture<Bool>
    ) -> NIOTypedHTTPClientUpgradeConfiguration<Bool> {
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: host)
        head.headers.add(name: "Sec-WebSocket-Protocol", value: "mqtt")
        head.headers.add(name: "Content-Length", value: "0")
        let upgrader = NIOTypedWebSocketClientUpgrader<Bool>(maxFrameSize: 1 << 20) { channel, _ in upgraded(channel) }
        return NIOTypedHTTPClientUpgradeConfiguration(upgradeRequestHead: head, upgraders: [upgrader]) { channel in
            channel.eventLoop.makeSucceededFuture(false)
        }
    }
}
