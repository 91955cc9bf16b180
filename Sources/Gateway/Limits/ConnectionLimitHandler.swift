#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
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

    /// The source a connection is counted under, the key of every per-source limit: the IPv4 address, or the /64
    /// prefix of an IPv6 address (one subscriber's network, which an attacker gets whole), without the port.
    static func sourceAddress(of channel: any Channel) -> String {
        sourceKey(channel.remoteAddress)
    }

    /// ``sourceAddress(of:)`` for an address.
    static func sourceKey(_ address: SocketAddress?) -> String {
        guard let address else { return "unknown" }
        guard case .v6 = address, let text = address.ipAddress else { return address.ipAddress ?? "unknown" }
        var bytes = [UInt8](repeating: 0, count: 16)
        guard inet_pton(AF_INET6, text, &bytes) == 1 else { return text }
        // IPv4-mapped (::ffff:a.b.c.d, a dual-stack listener's IPv4 clients): the IPv4 address itself.
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xFF, bytes[11] == 0xFF {
            return bytes[12..<16].map(String.init).joined(separator: ".")
        }
        let groups = stride(from: 0, to: 8, by: 2).map { String(UInt16(bytes[$0]) << 8 | UInt16(bytes[$0 + 1]), radix: 16) }
        return groups.joined(separator: ":") + "::/64"
    }
}
