import MQTTCodec
import NIOCore
import NIOPosix
import NIOSSL

/// Many publishing connections to one broker, connected first and then started together, so the measured
/// window holds only publishing.
struct TelemetryFleet {
    /// One connection to open.
    struct Member: Sendable {
        var host: String
        var port: Int
        var plan: TelemetryPlan
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
                        try sync.addHandler(ByteToMessageHandler(MQTTPacketDecoder()))
                        try sync.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
                        try sync.addHandler(TelemetryPublisher(plan: plan, connected: connected, finished: finished))
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
}
