import NIOCore
import NIOHTTP1

/// Pairs requests with responses in order on one keep-alive connection and fails what is pending when it ends.
final class HTTPExchangeHandler: ChannelDuplexHandler {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPExchange
    typealias OutboundOut = HTTPClientRequestPart

    private var pending = CircularBuffer<EventLoopPromise<HTTPReply>>()
    private var head: HTTPResponseHead?
    private var body: ByteBuffer?

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        let exchange = unwrapOutboundIn(data)
        pending.append(exchange.reply)
        context.write(wrapOutboundOut(.head(exchange.head)), promise: nil)
        if let body = exchange.body {
            context.write(wrapOutboundOut(.body(.byteBuffer(body))), promise: nil)
        }
        context.write(wrapOutboundOut(.end(nil)), promise: promise)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let responseHead):
            head = responseHead
            body = nil
        case .body(var part):
            if body == nil {
                body = part
            } else {
                body!.writeBuffer(&part)
            }
        case .end:
            guard let responseHead = head, let promise = pending.popFirst() else { return }
            head = nil
            promise.succeed(HTTPReply(status: Int(responseHead.status.code), headers: responseHead.headers, body: body ?? ByteBuffer()))
            body = nil
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failPending(error)
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        failPending(BenchmarkError("the HTTPS connection closed with a request outstanding"))
        context.fireChannelInactive()
    }

    private func failPending(_ error: any Error) {
        while let promise = pending.popFirst() {
            promise.fail(error)
        }
    }
}
