import Logging
import NIOCore
import NIOEmbedded
import Testing
@testable import Gateway

/// Connections per source address and in total, and the handler that refuses the extra ones before TLS.
@Suite struct ConnectionLimiterTests {
    @Test func perAddressLimitRefusesTheExtraAndLogsOncePerEpisode() {
        let limiter = ConnectionLimiter(perAddress: 2, total: 10)
        #expect(limiter.acquire(address: "10.0.0.1") == .admitted)
        #expect(limiter.acquire(address: "10.0.0.1") == .admitted)
        #expect(limiter.acquire(address: "10.0.0.1") == .refusedForAddress(firstRefusal: true))
        #expect(limiter.acquire(address: "10.0.0.1") == .refusedForAddress(firstRefusal: false))
        #expect(limiter.acquire(address: "10.0.0.2") == .admitted, "other addresses are served")
        limiter.release(address: "10.0.0.1")
        #expect(limiter.acquire(address: "10.0.0.1") == .admitted)
        #expect(limiter.acquire(address: "10.0.0.1") == .refusedForAddress(firstRefusal: true), "a new episode is logged again")
        #expect(limiter.openConnections == 3)
    }

    @Test func totalLimitRefusesEveryAddress() {
        let limiter = ConnectionLimiter(perAddress: 5, total: 2)
        #expect(limiter.acquire(address: "a") == .admitted)
        #expect(limiter.acquire(address: "b") == .admitted)
        #expect(limiter.acquire(address: "c") == .refusedTotal(firstRefusal: true))
        #expect(limiter.acquire(address: "a") == .refusedTotal(firstRefusal: false))
        limiter.release(address: "b")
        #expect(limiter.acquire(address: "c") == .admitted)
        #expect(limiter.openConnections(address: "b") == 0)
    }

    @Test func releasingAnUnknownAddressChangesNothing() {
        let limiter = ConnectionLimiter(perAddress: 1, total: 1)
        limiter.release(address: "nobody")
        #expect(limiter.openConnections == 0)
        #expect(limiter.acquire(address: "a") == .admitted)
    }

    /// Records whether channelActive got past the limit handler.
    final class ActiveRecorder: ChannelInboundHandler {
        typealias InboundIn = NIOAny
        var active = false
        func channelActive(context: ChannelHandlerContext) {
            active = true
            context.fireChannelActive()
        }
    }

    func connect(_ limiter: ConnectionLimiter, from ip: String) throws -> (EmbeddedChannel, ActiveRecorder) {
        let recorder = ActiveRecorder()
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(ConnectionLimitHandler(limiter: limiter, listener: "test", logger: Logger(label: "test")))
        try channel.pipeline.syncOperations.addHandler(recorder)
        let address = try SocketAddress(ipAddress: ip, port: 40_000)
        channel.remoteAddress = address
        try channel.connect(to: address).wait()
        return (channel, recorder)
    }

    @Test func theHandlerClosesRefusedConnectionsBeforeTheRestOfThePipelineSeesThem() throws {
        let limiter = ConnectionLimiter(perAddress: 1, total: 10)
        let (first, firstRecorder) = try connect(limiter, from: "192.0.2.1")
        #expect(firstRecorder.active)
        #expect(first.isActive)
        let (second, secondRecorder) = try connect(limiter, from: "192.0.2.1")
        #expect(!secondRecorder.active, "TLS never starts on a refused connection")
        #expect(!second.isActive)
        #expect(limiter.openConnections(address: "192.0.2.1") == 1, "a refused connection holds no slot")
        try first.close().wait()
        #expect(limiter.openConnections(address: "192.0.2.1") == 0, "closing gives the slot back")
        let (third, thirdRecorder) = try connect(limiter, from: "192.0.2.1")
        #expect(thirdRecorder.active)
        try third.close().wait()
    }

    @Test func sourcesAreIPv4AddressesAndIPv6Slash64Prefixes() throws {
        #expect(ConnectionLimitHandler.sourceKey(try SocketAddress(ipAddress: "192.0.2.7", port: 1)) == "192.0.2.7")
        #expect(ConnectionLimitHandler.sourceKey(try SocketAddress(ipAddress: "2001:db8:1:2:aaaa::1", port: 1)) == "2001:db8:1:2::/64")
        #expect(ConnectionLimitHandler.sourceKey(try SocketAddress(ipAddress: "2001:db8:1:2:bbbb::9", port: 2)) == "2001:db8:1:2::/64",
                "one /64 is one source")
        #expect(ConnectionLimitHandler.sourceKey(try SocketAddress(ipAddress: "::ffff:192.0.2.7", port: 1)) == "192.0.2.7",
                "IPv4 clients of a dual-stack listener count as their IPv4 address")
        #expect(ConnectionLimitHandler.sourceKey(nil) == "unknown")
    }
}
