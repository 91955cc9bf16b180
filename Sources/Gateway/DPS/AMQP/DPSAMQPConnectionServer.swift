import AMQPCodec
import Foundation
import Logging
import NIOCore
import NIOSSL

/// Serves DPS AMQP connections whatever carries their bytes — TLS on the DPS AMQP port or a WebSocket on the DPS
/// HTTPS listener: the frame codec with its limits, the open deadline, and one `DPSAMQPServedConnection` per
/// connection fed by a single loop (received frames, finished work, clock ticks), as the hub's AMQP connections are.
struct DPSAMQPConnectionServer: Sendable {
    typealias Connection = AMQPConnectionLoop.Connection

    /// A short name for logs (`dps`).
    let name: String
    /// From accept (or upgrade) to the end of the open exchange (SASL included): an absolute deadline.
    let openTimeout: TimeAmount
    let endpoint: DPSAMQPEndpoint
    let logger: Logger
    /// DPS requests are small JSON documents: frames and messages are bounded accordingly.
    var limits = AMQPCodecLimits(maximumFrameSize: 65_536, maximumMessageSize: 256 * 1024)

    /// Adds the AMQP handlers and wraps the channel; must run on the channel's event loop. `readDeadline` false: an
    /// earlier handler in the pipeline already runs a deadline.
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
        let (inputs, continuation) = AsyncStream<DPSAMQPConnectionInput>.makeStream()
        let budget = AMQPFrameBudget(limit: AMQPConnectionLoop.queuedFrameLimit)
        var served = DPSAMQPServedConnection(endpoint: endpoint, limits: limits, logger: logger,
                                             source: ConnectionLimitHandler.sourceKey(channel.remoteAddress),
                                             presentedCertificates: connection.presentedCertificates,
                                             inject: { continuation.yield($0) })
        do {
            _ = try await AMQPConnectionLoop.run(
                connection.channel, inputs: inputs, continuation: continuation, budget: budget, tick: AMQPConnectionLoop.tick,
                received: { .received($0) }, ended: { .ended($0) }, ticked: .tick,
                isReceived: { if case .received = $0 { true } else { false } },
                handle: { input in
                    let step = served.handle(input)
                    return AMQPLoopStep(outbound: step.outbound, work: step.work.map { work in { .completed(await work.run()) } },
                                        openCompleted: step.openCompleted, finished: step.finished)
                })
        } catch {
            logger.debug("DPS AMQP connection ended", metadata: ["gateway.reason": "\(error)"])
        }
        served.closed()
        endpoint.connections.release(channel, clientId: nil)
        channel.close(promise: nil)
    }
}
