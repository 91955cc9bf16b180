import MQTTCodec
import Synchronization
import NIOCore

/// PUBLISH packets a session completes on the event loop, without a hop to the session's task per packet: the
/// device's telemetry. The connection keeps reading while earlier messages wait for their commit, and sends each
/// PUBACK once its message is durable, in the order the PUBLISH packets came in.
public protocol MQTTPublishFastPath: Sendable {
    /// Takes `publish` if this path handles it and calls `completion` (from any thread) once it is durable, or with the
    /// error that kept it from being stored. Returns false to hand the packet to the session instead — also for
    /// anything that must be refused, so refusals keep one code path.
    func take(_ publish: MQTTPublish, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) -> Bool
}

/// Sits between the decoder and the connection's task, below the encoder. Once ``activate(_:)`` is called (after the
/// CONNECT is accepted), PUBLISH packets the fast path takes never reach the task; their PUBACKs are written here as
/// bytes — every PUBACK of a commit in one buffer, so one TLS record — and reading pauses while too many of the
/// connection's messages or bytes, or too many bytes of all connections, wait for their commit
/// (``UncommittedTelemetryBudget``). Other writes (encoded packets) pass through.
final class MQTTPublishFastPathHandler: ChannelDuplexHandler {
    typealias InboundIn = MQTTPacket
    typealias InboundOut = MQTTPacket
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private let budget: UncommittedTelemetryBudget
    private var path: (any MQTTPublishFastPath)?
    private var uncommitted = 0
    private var uncommittedBytes = 0
    private var readDeferred = false
    private var isActive = true
    private let completed = CompletedPublishes()
    private var context: ChannelHandlerContext?

    /// Creates the handler of one connection, counting against the process's `budget`.
    init(budget: UncommittedTelemetryBudget = UncommittedTelemetryBudget()) {
        self.budget = budget
    }

    /// Starts taking packets; call on the channel's event loop before the CONNACK is written.
    func activate(_ path: any MQTTPublishFastPath) {
        self.path = path
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let packet = unwrapInboundIn(data)
        guard let path, case .publish(let publish) = packet, publish.qos != .exactlyOnce else {
            context.fireChannelRead(data)
            return
        }
        let identifier = publish.qos == .atLeastOnce ? publish.packetIdentifier : nil
        let bytes = publish.payload.readableBytes + publish.topic.utf8.count
        let completed = self.completed
        let loop = NIOLoopBound(self, eventLoop: context.eventLoop)
        let taken = path.take(publish) { result in
            if completed.add(identifier: identifier, bytes: bytes, failed: (try? result.get()) == nil) {
                loop.eventLoop.execute { loop.value.writeCompleted() }
            }
        }
        guard taken else {
            context.fireChannelRead(data)
            return
        }
        uncommitted += 1
        uncommittedBytes += bytes
        budget.add(bytes)
    }

    func read(context: ChannelHandlerContext) {
        guard !budget.mustPause(messages: uncommitted, bytes: uncommittedBytes) else {
            readDeferred = true
            return
        }
        context.read()
    }

    func channelInactive(context: ChannelHandlerContext) {
        isActive = false
        context.fireChannelInactive()
    }

    /// Writes the PUBACKs of committed messages (one flush for all of them) and resumes reading if it was paused.
    private func writeCompleted() {
        let (identifiers, count, bytes, failed) = completed.take()
        // The global count is given back even when the connection is gone.
        budget.remove(bytes)
        uncommitted -= count
        uncommittedBytes -= bytes
        guard let context, isActive else { return }
        if failed {
            // The message could not be stored: no PUBACK; the device resends after reconnecting.
            context.close(promise: nil)
            return
        }
        if !identifiers.isEmpty {
            // PUBACK: 0x40, remaining length 2, the packet identifier.
            var buffer = context.channel.allocator.buffer(capacity: identifiers.count * 4)
            for identifier in identifiers {
                buffer.writeInteger(UInt8(0x40))
                buffer.writeInteger(UInt8(2))
                buffer.writeInteger(identifier)
            }
            context.writeAndFlush(wrapOutboundOut(buffer), promise: nil)
        }
        if readDeferred, !budget.mustPause(messages: uncommitted, bytes: uncommittedBytes) {
            readDeferred = false
            context.read()
        }
    }
}

/// Completions of one connection's messages, gathered from the committing thread until the event loop takes them.
private final class CompletedPublishes: Sendable {
    private struct State {
        var identifiers: [UInt16] = []
        var count = 0
        var bytes = 0
        var failed = false
        var scheduled = false
    }

    private let state = Mutex(State())

    /// Records one completion; true when the event loop must be asked to write (no write is pending yet).
    func add(identifier: UInt16?, bytes: Int, failed: Bool) -> Bool {
        state.withLock { state in
            if let identifier { state.identifiers.append(identifier) }
            state.count += 1
            state.bytes += bytes
            state.failed = state.failed || failed
            guard !state.scheduled else { return false }
            state.scheduled = true
            return true
        }
    }

    /// Everything recorded since the last call.
    func take() -> (identifiers: [UInt16], count: Int, bytes: Int, failed: Bool) {
        state.withLock { state in
            defer { state = State() }
            return (state.identifiers, state.count, state.bytes, state.failed)
        }
    }
}
