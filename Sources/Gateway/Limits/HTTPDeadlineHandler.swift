import NIOCore
import NIOHTTPTypes
import NIOTLS

/// Bounds how long an HTTP connection may hold a slot without making progress, so slow or silent clients cannot
/// pin connections: the TLS handshake must finish within `handshake` of accept, the first request head must arrive
/// within `requestHead` of the handshake, a request body must keep arriving (each part within `idle`), and a
/// keep-alive connection may wait `idle` for its next request head. While a response is being produced no deadline
/// runs (routes have their own timeouts). Sits after the HTTP codec, where it sees request heads and response ends.
final class HTTPDeadlineHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The bounds; nil handshake means a plain-HTTP listener.
    struct Timeouts: Sendable {
        var handshake: TimeAmount?
        var requestHead: TimeAmount
        var idle: TimeAmount
    }

    private let timeouts: Timeouts
    private var deadline: NIODeadline?
    private var scheduledFor: NIODeadline?
    private var check: Scheduled<Void>?
    private var requestsInProgress = 0
    private var readingBody = false

    init(timeouts: Timeouts) {
        self.timeouts = timeouts
    }

    func handlerAdded(context: ChannelHandlerContext) {
        set(deadline: context.eventLoop.now + (timeouts.handshake ?? timeouts.requestHead), context: context)
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        cancel()
    }

    func channelInactive(context: ChannelHandlerContext) {
        cancel()
        context.fireChannelInactive()
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted = event as? TLSUserEvent, requestsInProgress == 0 {
            set(deadline: context.eventLoop.now + timeouts.requestHead, context: context)
        }
        context.fireUserInboundEventTriggered(event)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            requestsInProgress += 1
            readingBody = true
            set(deadline: context.eventLoop.now + timeouts.idle, context: context)
        case .body:
            // Progress: push the deadline out without rescheduling the timer (it re-arms itself when it fires early).
            if readingBody { deadline = context.eventLoop.now + timeouts.idle }
        case .end:
            readingBody = false
            if requestsInProgress == 0 {
                // Answered before its body was read (413): wait for the next head like any idle connection.
                set(deadline: context.eventLoop.now + timeouts.idle, context: context)
            } else {
                deadline = nil
            }
        }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) {
            requestsInProgress = max(0, requestsInProgress - 1)
            if requestsInProgress == 0 { set(deadline: context.eventLoop.now + timeouts.idle, context: context) }
        }
        context.write(data, promise: promise)
    }

    private func set(deadline newDeadline: NIODeadline, context: ChannelHandlerContext) {
        deadline = newDeadline
        if let scheduledFor, scheduledFor <= newDeadline { return }
        check?.cancel()
        schedule(at: newDeadline, context: context)
    }

    private func schedule(at when: NIODeadline, context: ChannelHandlerContext) {
        scheduledFor = when
        let loopBound = NIOLoopBound((self, context), eventLoop: context.eventLoop)
        check = context.eventLoop.scheduleTask(deadline: when) {
            let (handler, context) = loopBound.value
            handler.fire(context: context)
        }
    }

    private func fire(context: ChannelHandlerContext) {
        scheduledFor = nil
        check = nil
        guard let deadline else { return }
        if context.eventLoop.now >= deadline {
            context.close(promise: nil)
        } else {
            schedule(at: deadline, context: context)
        }
    }

    private func cancel() {
        check?.cancel()
        check = nil
        scheduledFor = nil
        deadline = nil
    }
}
