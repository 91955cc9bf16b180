import NIOCore
import NIOHTTP1

/// One request written with the promise its response completes.
struct HTTPExchange: Sendable {
    var head: HTTPRequestHead
    var body: ByteBuffer?
    var reply: EventLoopPromise<HTTPReply>
}
