import AMQPCodec
import NIOCore
import NIOSSL

/// What one input of a connection's loop produced: frames to write, work to start (each yields the input that
/// reports its result), whether the open exchange finished, and whether the connection ends.
struct AMQPLoopStep<Input: Sendable> {
    var outbound: [AMQPOutbound]
    var work: [@Sendable () async -> Input]
    var openCompleted: Bool
    var finished: Bool
}

/// The single loop that drives one AMQP connection — hub or DPS — so its state needs no locks: received frames (read
/// no further ahead than `AMQPFrameBudget` allows), the end of the byte stream, clock ticks and finished work all
/// become inputs; each input's frames are written in one go.
enum AMQPConnectionLoop {
    /// One connection's channel and presented certificates, ready to serve.
    struct Connection: Sendable {
        var channel: NIOAsyncChannel<AMQPInbound, AMQPOutbound>
        var presentedCertificates: @Sendable () -> [NIOSSLCertificate]
    }

    /// Received frames that may wait for the state machine before the socket stops being read.
    static let queuedFrameLimit = 64
    /// How often a connection checks its clock (idle timeout, token and credential expiry).
    static let tick: Duration = .seconds(1)

    /// Adds the AMQP handlers behind whatever delivers the connection's bytes — the open deadline (unless an earlier
    /// handler already runs one), the frame codec with `limits` — and wraps the channel; must run on its event loop.
    static func configure(_ channel: any Channel, openTimeout: TimeAmount?, limits: AMQPCodecLimits,
                          presentedCertificates: @escaping @Sendable () -> [NIOSSLCertificate]) throws -> Connection {
        let sync = channel.pipeline.syncOperations
        if let openTimeout { try sync.addHandler(ReadTimeoutHandler(timeout: openTimeout)) }
        try sync.addHandler(ByteToMessageHandler(AMQPFrameDecoder(limits: limits)))
        try sync.addHandler(MessageToByteHandler(AMQPFrameEncoder()))
        let asyncChannel = try NIOAsyncChannel<AMQPInbound, AMQPOutbound>(wrappingChannelSynchronously: channel)
        return Connection(channel: asyncChannel, presentedCertificates: presentedCertificates)
    }

    /// Runs until the connection ends; returns the work of the step that finished it (to run after the loop).
    static func run<Input: Sendable>(
        _ connection: NIOAsyncChannel<AMQPInbound, AMQPOutbound>, inputs: AsyncStream<Input>, continuation: AsyncStream<Input>.Continuation,
        budget: AMQPFrameBudget, tick: Duration, received: @escaping @Sendable (AMQPInbound) -> Input,
        ended: @escaping @Sendable ((any Error)?) -> Input, ticked: Input, isReceived: (Input) -> Bool,
        handle: (Input) -> AMQPLoopStep<Input>
    ) async throws -> [@Sendable () async -> Input] {
        let channel = connection.channel
        var finalWork: [@Sendable () async -> Input] = []
        try await connection.executeThenClose { inbound, outbound in
            try await withThrowingDiscardingTaskGroup { group in
                defer {
                    // However the loop ends (a failed write too): release the reader, end the inputs, and close the
                    // channel, which ends the inbound stream; the ticks end with the group's cancellation.
                    budget.cancel()
                    continuation.finish()
                    channel.close(promise: nil)
                    group.cancelAll()
                }
                group.addTask {
                    do {
                        for try await frame in inbound {
                            continuation.yield(received(frame))
                            await budget.queued()
                        }
                        continuation.yield(ended(nil))
                    } catch {
                        continuation.yield(ended(error))
                    }
                }
                group.addTask {
                    while !Task.isCancelled {
                        try? await Task.sleep(for: tick)
                        continuation.yield(ticked)
                    }
                }
                loop: for await input in inputs {
                    if isReceived(input) { budget.processed() }
                    let step = handle(input)
                    if !step.outbound.isEmpty { try await outbound.write(contentsOf: step.outbound) }
                    if step.openCompleted {
                        try await channel.triggerUserOutboundEvent(ReadTimeoutHandler.SetTimeout(timeout: nil))
                    }
                    if step.finished {
                        // Work of the last step (held records handed back) must outlive the cancelled group.
                        finalWork = step.work
                        break loop
                    }
                    for work in step.work {
                        group.addTask { continuation.yield(await work()) }
                    }
                }
            }
        }
        return finalWork
    }
}
