import NIOCore
import NIOWebSocket

/// The client side of a byte stream inside a WebSocket: binary frames in become `ByteBuffer`s, `ByteBuffer`s out
/// become masked binary frames (RFC 6455 requires clients to mask), pings are answered.
final class WebSocketClientByteStream: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = WebSocketFrame
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = WebSocketFrame

    private var generator = SystemRandomNumberGenerator()

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let frame = unwrapInboundIn(data)
        switch frame.opcode {
        case .binary, .continuation:
            context.fireChannelRead(wrapInboundOut(frame.unmaskedData))
        case .ping:
            context.writeAndFlush(wrapOutboundOut(masked(.pong, frame.unmaskedData)), promise: nil)
        case .connectionClose:
            context.close(promise: nil)
        default:
            break
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        context.write(wrapOutboundOut(masked(.binary, unwrapOutboundIn(data))), promise: promise)
    }

    /// NIO's frame encoder applies the key to the payload.
    private func masked(_ opcode: WebSocketOpcode, _ data: ByteBuffer) -> WebSocketFrame {
        WebSocketFrame(fin: true, opcode: opcode, maskKey: .random(using: &generator), data: data)
    }
}
