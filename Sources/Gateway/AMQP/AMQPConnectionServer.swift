import AMQPCodec
import Foundation
import Logging
import NIOCore
import NIOSSL

/// Serves AMQP connections of one shard whatever carries their bytes — TLS on 5671 or a WebSocket on the HTTPS
/// listener: the frame codec with its limits, the open deadline, and one `AMQPServedConnection` per connection fed
/// by a single loop (received frames, finished link work, clock ticks), so its state needs no locks.
struct AMQPConnectionServer: Sendable {
    typealias Connection = AMQPConnectionLoop.Connection

    /// A short name for logs (`hub-1`).
    let name: String
    /// From accept (or upgrade) to the end of the open exchange: an absolute deadline, not reset by reads.
    let openTimeout: TimeAmount
    let endpoint: AMQPHubEndpoint
    let logger: Logger
    /// Frame and message bounds (what the server advertises as max-frame-size and max-message-size).
    var limits = AMQPCodecLimits(maximumFrameSize: 65_536, maximumMessageSize: 1 << 20)

    /// Adds the AMQP handlers behind whatever delivers the connection's bytes and wraps the channel; must run on the
    /// channel's event loop. `readDeadline` false: an earlier handler in the pipeline already runs a deadline.
    func configure(_ channel: any Channel, readDeadline: Bool = true,
                   presentedCertificates: @escaping @Sendable () -> [NIOSSLCertificate]) throws -> Connection {
        try AMQPConnectionLoop.configure(channel, openTimeout: readDeadline ? openTimeout : nil, limits: limits,
                                         presentedCertificates: presentedCertificates)
    }

    /// Runs the connection to its end.
    func serve(_ connection: Connection) async {
        let channel = connection.channel.channel
        guard endpoint.connections.track(channel) else {
            try? await connection.channel.executeThenClose { _, _ in }
            return
        }
        var logger = self.logger
        logger[metadataKey: "gateway.listener"] = "\(name)"
        logger[metadataKey: "gateway.peer"] = "\(channel.remoteAddress.map { "\($0)" } ?? "?")"
        let (inputs, continuation) = AsyncStream<AMQPConnectionInput>.makeStream()
        let budget = AMQPFrameBudget(limit: AMQPConnectionLoop.queuedFrameLimit)
        var served = AMQPServedConnection(endpoint: endpoint, limits: limits, logger: logger,
                                           presentedCertificates: connection.presentedCertificates,
                                           inject: { continuation.yield($0) })
        var finalWork: [@Sendable () async -> AMQPConnectionInput] = []
        do {
            finalWork = try await AMQPConnectionLoop.run(
                connection.channel, inputs: inputs, continuation: continuation, budget: budget, tick: AMQPConnectionLoop.tick,
                received: { .received($0) }, ended: { .ended($0) }, ticked: .tick,
                isReceived: { if case .received = $0 { true } else { false } },
                handle: { input in
                    let step = served.handle(input, now: endpoint.now())
                    return AMQPLoopStep(outbound: step.outbound, work: step.work.map { work in { .completed(await work.run()) } },
                                        openCompleted: step.openCompleted, finished: step.finished)
                })
        } catch {
            logger.debug("AMQP connection ended", metadata: ["gateway.reason": "\(error)"])
        }
        for work in finalWork { _ = await work() }
        for work in served.closed() { _ = await work.run() }
        endpoint.connections.release(channel, clientId: nil)
        channel.close(promise: nil)
    }
}
