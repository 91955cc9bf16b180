import MQTTCodec
import NIOCore

/// Publishes QoS 1 telemetry on one connection, keeping `window` messages unacknowledged, entirely on the event
/// loop (no task hop per message) so the load generator stays cheap next to the broker it measures. Records the
/// PUBLISH→PUBACK latency of every message.
final class TelemetryPublisher: ChannelDuplexHandler {
    typealias InboundIn = MQTTPacket
    typealias OutboundIn = MQTTPacket
    typealias OutboundOut = MQTTPacket

    private let plan: TelemetryPlan
    private let connected: EventLoopPromise<Void>
    private let finished: EventLoopPromise<LatencySamples>
    private var sent = 0
    private var acknowledged = 0
    private var nextIdentifier: UInt16 = 0
    private var sentAt = [UInt64](repeating: 0, count: Int(UInt16.max) + 1)
    private var messageNumberOf = [Int](repeating: 0, count: Int(UInt16.max) + 1)
    private var latencies = LatencySamples()
    private var needsFlush = false
    private var isConnected = false
    private var isDone = false
    private var connectSent = false
    /// Paced publishing (`plan.messagesPerSecond`): when it started, and the timer that sends what is due.
    private var pacingStart: UInt64 = 0
    private var pacer: RepeatedTask?

    /// Creates a publisher; `connected` completes on CONNACK 0, `finished` once every message is acknowledged.
    init(plan: TelemetryPlan, connected: EventLoopPromise<Void>, finished: EventLoopPromise<LatencySamples>) {
        self.plan = plan
        self.connected = connected
        self.finished = finished
    }

    /// Outbound user event that sends CONNECT on a connection that is already up (after a WebSocket upgrade, once
    /// the HTTP handlers are gone).
    struct SendConnect: Sendable {}

    func channelActive(context: ChannelHandlerContext) {
        // NIOSSL holds this until the handshake is done.
        sendConnect(context: context)
        context.fireChannelActive()
    }

    private func sendConnect(context: ChannelHandlerContext) {
        guard !connectSent else { return }
        connectSent = true
        context.writeAndFlush(wrapOutboundOut(.connect(plan.connect)), promise: nil)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .connAck(let ack):
            guard ack.returnCode == .accepted else {
                fail(context: context, BenchmarkError("CONNECT refused: CONNACK \(ack.returnCode.rawValue)"))
                return
            }
            isConnected = true
            connected.succeed(())
        case .pubAck(let identifier):
            let now = NIODeadline.now().uptimeNanoseconds
            latencies.add(nanoseconds: Int64(now &- sentAt[Int(identifier)]))
            if let log = plan.acknowledgements {
                let number = messageNumberOf[Int(identifier)]
                if number < log.times.count { log.times[number] = now }
            }
            acknowledged += 1
            if plan.messagesPerSecond == nil, sent < plan.messages {
                publish(context: context)
                needsFlush = true
            }
            if acknowledged == plan.messages, !isDone {
                isDone = true
                finished.succeed(latencies)
            }
        default:
            break
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        if needsFlush {
            needsFlush = false
            context.flush()
        }
        context.fireChannelReadComplete()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        if event is SendConnect {
            sendConnect(context: context)
            promise?.succeed(())
            return
        }
        guard event is StartPublishing else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        if let rate = plan.messagesPerSecond {
            pacingStart = NIODeadline.now().uptimeNanoseconds
            let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
            pacer = context.eventLoop.scheduleRepeatedTask(initialDelay: .zero, delay: .milliseconds(2)) { task in
                let (handler, context) = loopBound.value
                handler.publishDue(context: context, rate: rate)
                if handler.sent >= handler.plan.messages || handler.isDone { task.cancel() }
            }
        } else {
            for _ in 0..<min(plan.window, plan.messages) { publish(context: context) }
            context.flush()
        }
        promise?.succeed(())
        if plan.messages == 0, !isDone {
            isDone = true
            finished.succeed(latencies)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        fail(context: context, error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        pacer?.cancel()
        let error = BenchmarkError("the connection closed after \(acknowledged) of \(plan.messages) messages were acknowledged")
        if !isConnected { connected.fail(error) }
        if !isDone {
            isDone = true
            finished.fail(error)
        }
        context.fireChannelInactive()
    }

    /// Sends what the rate says is due by now, within the window of unacknowledged messages.
    private func publishDue(context: ChannelHandlerContext, rate: Double) {
        let elapsed = Double(NIODeadline.now().uptimeNanoseconds &- pacingStart) / 1e9
        let due = min(plan.messages, Int(elapsed * rate) + 1)
        var wrote = false
        while sent < due, sent - acknowledged < plan.window {
            publish(context: context)
            wrote = true
        }
        if wrote { context.flush() }
    }

    private func publish(context: ChannelHandlerContext) {
        nextIdentifier = nextIdentifier == .max ? 1 : nextIdentifier + 1
        sentAt[Int(nextIdentifier)] = NIODeadline.now().uptimeNanoseconds
        var payload = plan.payload
        if let log = plan.acknowledgements {
            messageNumberOf[Int(nextIdentifier)] = sent
            if payload.readableBytes < 8 { payload.writeRepeatingByte(0x20, count: 8 - payload.readableBytes) }
            payload.setInteger(log.deviceIndex, at: payload.readerIndex)
            payload.setInteger(UInt32(truncatingIfNeeded: sent), at: payload.readerIndex + 4)
        }
        sent += 1
        context.write(wrapOutboundOut(.publish(MQTTPublish(
            topic: plan.topic, payload: payload, qos: .atLeastOnce, packetIdentifier: nextIdentifier))), promise: nil)
    }

    private func fail(context: ChannelHandlerContext, _ error: any Error) {
        if !isConnected {
            isConnected = true
            connected.fail(error)
        }
        if !isDone {
            isDone = true
            finished.fail(error)
        }
        context.close(promise: nil)
    }
}
