import NIOCore
import NIOTLS

/// Completes a promise when the TLS handshake finished, so timings can start after it; fails it if the
/// connection ends or errs first.
final class TLSHandshakeWaiter: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let promise: EventLoopPromise<Void>
    private var done = false

    /// Creates a waiter completing `promise`.
    init(promise: EventLoopPromise<Void>) {
        self.promise = promise
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .handshakeCompleted? = event as? TLSUserEvent, !done {
            done = true
            promise.succeed(())
        }
        context.fireUserInboundEventTriggered(event)
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        finish(failing: error)
        context.fireErrorCaught(error)
    }

    func channelInactive(context: ChannelHandlerContext) {
        finish(failing: BenchmarkError("the connection closed during the TLS handshake"))
        context.fireChannelInactive()
    }

    private func finish(failing error: any Error) {
        guard !done else { return }
        done = true
        promise.fail(error)
    }
}
