import NIOCore

/// First an absolute CONNECT deadline: the connection is closed `timeout` after it was accepted unless the CONNECT
/// was accepted by then, however the bytes trickle in (a client dribbling a byte at a time cannot hold it open).
/// After ``SetTimeout``, MQTT keep-alive: closed when nothing was read for the new timeout.
final class ReadTimeoutHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// Outbound user event that changes the timeout; `nil` disables it (keep-alive 0).
    struct SetTimeout: Sendable {
        var timeout: TimeAmount?
    }

    private var timeout: TimeAmount?
    /// True until the first ``SetTimeout``: reads do not extend the CONNECT deadline.
    private var isAbsoluteDeadline = true
    private var lastRead = NIODeadline.uptimeNanoseconds(0)
    private var check: Scheduled<Void>?

    init(timeout: TimeAmount?) {
        self.timeout = timeout
    }

    func handlerAdded(context: ChannelHandlerContext) {
        lastRead = context.eventLoop.now
        schedule(context: context, after: timeout)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = context.eventLoop.now
        context.fireChannelRead(data)
    }

    func channelInactive(context: ChannelHandlerContext) {
        check?.cancel()
        check = nil
        context.fireChannelInactive()
    }

    func triggerUserOutboundEvent(context: ChannelHandlerContext, event: Any, promise: EventLoopPromise<Void>?) {
        guard let change = event as? SetTimeout else {
            context.triggerUserOutboundEvent(event, promise: promise)
            return
        }
        timeout = change.timeout
        isAbsoluteDeadline = false
        lastRead = context.eventLoop.now
        check?.cancel()
        schedule(context: context, after: timeout)
        promise?.succeed()
    }

    private func schedule(context: ChannelHandlerContext, after delay: TimeAmount?) {
        guard let delay else { return }
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(in: delay) {
            let (handler, context) = loopBound.value
            handler.fire(context: context)
        }
    }

    private func fire(context: ChannelHandlerContext) {
        guard let timeout else { return }
        if isAbsoluteDeadline {
            context.close(promise: nil)
            return
        }
        let idle = context.eventLoop.now - lastRead
        if idle >= timeout {
            context.close(promise: nil)
        } else {
            schedule(context: context, after: timeout - idle)
        }
    }
}
