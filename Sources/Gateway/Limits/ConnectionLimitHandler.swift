import Logging
import NIOCore

/// First handler of every accepted connection: takes a slot from the shared ``ConnectionLimiter`` and closes the
/// connection before TLS starts when the source address or the process is at its limit. The refusal is logged at
/// info once per episode (not per attempt), with the address.
final class ConnectionLimitHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = NIOAny

    private let limiter: ConnectionLimiter
    private let listener: String
    private let logger: Logger
    private var address: String?

    init(limiter: ConnectionLimiter, listener: String, logger: Logger) {
        self.limiter = limiter
        self.listener = listener
        self.logger = logger
    }

    func channelActive(context: ChannelHandlerContext) {
        // Refused connections never become active for the handlers behind: no TLS handshake is started.
        if admit(context: context) {
            context.fireChannelActive()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        if let address {
            limiter.release(address: address)
            self.address = nil
        }
        context.fireChannelInactive()
    }

    /// True when admitted; otherwise the channel is being closed.
    private func admit(context: ChannelHandlerContext) -> Bool {
        if address != nil { return true }
        let source = Self.sourceAddress(of: context.channel)
        switch limiter.acquire(address: source) {
        case .admitted:
            address = source
            return true
        case .refusedForAddress(let first):
            if first {
                logger.info("connection refused: too many connections from one address", metadata: [
                    "gateway.listener": "\(listener)", "gateway.peer_address": "\(source)", "gateway.limit": "\(limiter.perAddress)",
                ])
            }
        case .refusedTotal(let first):
            if first {
                logger.info("connection refused: the process is at its connection limit", metadata: [
                    "gateway.listener": "\(listener)", "gateway.peer_address": "\(source)", "gateway.limit": "\(limiter.total)",
                ])
            }
        }
        context.close(promise: nil)
        return false
    }

    /// The IP address a connection comes from, without the port; the key every per-source limit uses.
    static func sourceAddress(of channel: any Channel) -> String {
        channel.remoteAddress?.ipAddress ?? "unknown"
    }
}
