import AMQPCodec
import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A small AMQP 1.0 client for the benchmarks, built on AMQPCodec: SASL ANONYMOUS, one session, claims-based
/// security, receiver and sender links. Used by one task at a time inside ``with(host:port:tls:_:)``; it does just
/// what the measured flows need (the real Azure clients are the conformance tests' business).
struct AMQPBenchClient {
    private var inbound: NIOAsyncChannelInboundStream<AMQPInbound>.AsyncIterator
    let outbound: NIOAsyncChannelOutboundWriter<AMQPOutbound>
    /// The channel, for its event loop and address.
    let channel: any Channel
    private var nextHandle: UInt32 = 0
    private var nextOutgoingId: UInt32 = 0
    /// Transfers received on the session, to keep the server's view of our window current.
    private(set) var transfersReceived: UInt32 = 0
    private var serverNextOutgoingId: UInt32 = 0
    static let sessionWindow: UInt32 = 65_536

    /// Connects, completes TLS, SASL ANONYMOUS, open and begin, runs `body` and closes the connection.
    static func with<Result: Sendable>(
        host: String, port: Int, tls: NIOSSLContext, _ body: (inout AMQPBenchClient) async throws -> Result
    ) async throws -> Result {
        let serverHostname = ClientTLS.serverHostname(for: host)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(to: try SocketAddress(ipAddress: host, port: port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    try sync.addHandler(ByteToMessageHandler(AMQPFrameDecoder(limits: AMQPCodecLimits(maximumFrameSize: 1 << 20))))
                    try sync.addHandler(MessageToByteHandler(AMQPFrameEncoder()))
                    return try NIOAsyncChannel<AMQPInbound, AMQPOutbound>(wrappingChannelSynchronously: channel)
                }
            }
        return try await channel.executeThenClose { inbound, outbound in
            var client = AMQPBenchClient(inbound: inbound.makeAsyncIterator(), outbound: outbound, channel: channel.channel)
            try await client.open(hostname: host)
            let result = try await body(&client)
            try? await outbound.write(.frame(.amqp(.close(AMQPEnding()), channel: 0)))
            return result
        }
    }

    private init(inbound: NIOAsyncChannelInboundStream<AMQPInbound>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<AMQPOutbound>,
                 channel: any Channel) {
        self.inbound = inbound
        self.outbound = outbound
        self.channel = channel
    }

    private mutating func open(hostname: String) async throws {
        try await outbound.write(.header(.sasl))
        guard case .header(.sasl) = try await nextInbound() else { throw BenchmarkError("the server did not answer the SASL header") }
        guard case .frame(.sasl(.mechanisms(let mechanisms))) = try await nextInbound(), mechanisms.contains("ANONYMOUS") else {
            throw BenchmarkError("the server does not offer SASL ANONYMOUS")
        }
        try await outbound.write(.frame(.sasl(.initial(mechanism: "ANONYMOUS", initialResponse: [], hostname: hostname))))
        guard case .frame(.sasl(.outcome(code: 0, _))) = try await nextInbound() else { throw BenchmarkError("SASL ANONYMOUS was refused") }
        try await outbound.write(.header(.amqp))
        try await outbound.write(.frame(.amqp(.open(AMQPOpen(containerId: "provisio-bench-\(UUID().uuidString)", hostname: hostname,
                                                             maxFrameSize: 1 << 20, channelMax: 0)), channel: 0)))
        try await outbound.write(.frame(.amqp(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: Self.sessionWindow,
                                                               outgoingWindow: Self.sessionWindow)), channel: 0)))
        guard case .header(.amqp) = try await nextInbound() else { throw BenchmarkError("the server did not answer the AMQP header") }
        guard case .frame(.amqp(_, .open?, _)) = try await nextInbound() else { throw BenchmarkError("the server did not answer open") }
        guard case .frame(.amqp(_, .begin(let begin)?, _)) = try await nextInbound() else { throw BenchmarkError("the server did not begin") }
        serverNextOutgoingId = begin.nextOutgoingId
    }

    private mutating func nextInbound() async throws -> AMQPInbound {
        while true {
            guard let item = try await inbound.next() else { throw BenchmarkError("the server closed the AMQP connection") }
            if case .frame(.amqp(_, nil, _)) = item { continue }
            if case .frame(.amqp(_, .close(let close)?, _)) = item {
                throw BenchmarkError("the server closed the AMQP connection: \(close.error.map { "\($0.condition) \($0.description ?? "")" } ?? "")")
            }
            return item
        }
    }

    /// The next non-empty AMQP frame's performative and payload.
    mutating func next() async throws -> (AMQPPerformative, ByteBuffer) {
        while true {
            guard case .frame(.amqp(_, let performative?, let payload)) = try await nextInbound() else { continue }
            if case .transfer = performative { transfersReceived &+= 1 }
            return (performative, payload)
        }
    }

    /// Sends a performative on the session.
    func send(_ performative: AMQPPerformative, payload: ByteBuffer = ByteBuffer()) async throws {
        try await outbound.write(.frame(.amqp(channel: 0, performative: performative, payload: payload)))
    }

    /// A flow granting `credit` on `handle` with `deliveryCount` (the receiver's count), reopening the session window.
    func flow(handle: UInt32, deliveryCount: UInt32, credit: UInt32) -> AMQPPerformative {
        .flow(AMQPFlow(nextIncomingId: serverNextOutgoingId &+ transfersReceived, incomingWindow: Self.sessionWindow,
                       nextOutgoingId: nextOutgoingId, outgoingWindow: Self.sessionWindow, handle: handle,
                       deliveryCount: deliveryCount, linkCredit: credit))
    }

    /// Attaches a link and waits for the server's attach (a detach instead is an error).
    mutating func attach(role: AMQPAttach.Role, address: String, filter: AMQPMap? = nil) async throws -> UInt32 {
        let handle = nextHandle
        nextHandle += 1
        let name = "bench-\(handle)-\(UUID().uuidString)"
        let node = AMQPTerminus(address: address, filter: filter)
        let local = AMQPTerminus(address: name)
        try await send(.attach(AMQPAttach(
            name: name, handle: handle, role: role, senderSettleMode: .unsettled, receiverSettleMode: .first,
            source: role == .receiver ? node : local, target: role == .receiver ? local : node,
            initialDeliveryCount: role == .sender ? 0 : nil, maxMessageSize: 1 << 20)))
        while true {
            let (performative, _) = try await next()
            switch performative {
            case .attach(let reply) where reply.name == name:
                if reply.role == .sender, reply.source == nil { continue }
                return handle
            case .detach(let detach) where detach.handle == handle:
                throw BenchmarkError("the server refused the link to \(address): \(detach.error?.condition.rawValue ?? "no error")")
            default:
                continue
            }
        }
    }

    /// Puts a token on `$cbs` for `audience` and requires status 2xx.
    mutating func putToken(audience: String, token: String) async throws {
        let sender = try await attach(role: .sender, address: "$cbs")
        let receiver = try await attach(role: .receiver, address: "$cbs")
        try await send(flow(handle: receiver, deliveryCount: 0, credit: 10))
        let request = AMQPMessage(properties: AMQPMessageProperties(messageId: .ulong(0), replyTo: nil),
                                  applicationProperties: [.string("operation"): .string("put-token"),
                                                          .string("type"): .string("servicebus.windows.net:sastoken"),
                                                          .string("name"): .string(audience)],
                                  body: .value(.string(token)))
        try await send(.transfer(AMQPTransfer(handle: sender, deliveryId: nextOutgoingId, deliveryTag: [0], messageFormat: 0,
                                              settled: false)), payload: request.encoded)
        nextOutgoingId &+= 1
        while true {
            let (performative, payload) = try await next()
            guard case .transfer(let transfer) = performative, transfer.handle == receiver else { continue }
            let reply = try AMQPMessage(decoding: payload)
            let status = reply.applicationProperties?[string: "status-code"]?.signedInteger ?? 0
            guard (200..<300).contains(status) else {
                throw BenchmarkError("put-token answered \(status): \(reply.applicationProperties?[string: "status-description"]?.text ?? "")")
            }
            return
        }
    }

    /// Sends a message on a sender link (unsettled); returns its delivery id.
    mutating func transfer(handle: UInt32, message: AMQPMessage, tag: [UInt8]) async throws -> UInt32 {
        let id = nextOutgoingId
        nextOutgoingId &+= 1
        try await outbound.write(.frame(.amqp(channel: 0, performative: .transfer(AMQPTransfer(
            handle: handle, deliveryId: id, deliveryTag: tag, messageFormat: 0, settled: false)), payload: message.encoded)))
        return id
    }

    /// Sends `count` unsettled transfers of one encoded message in a single write (tags `firstTag`, `firstTag + 1`, …, 8
    /// bytes big-endian); returns the first delivery id.
    mutating func transfers(handle: UInt32, payload: ByteBuffer, count: Int, firstTag: UInt64) async throws -> UInt32 {
        let first = nextOutgoingId
        var frames: [AMQPOutbound] = []
        frames.reserveCapacity(count)
        for index in 0..<count {
            let tag = withUnsafeBytes(of: (firstTag &+ UInt64(index)).bigEndian) { Array($0) }
            frames.append(.frame(.amqp(channel: 0, performative: .transfer(AMQPTransfer(
                handle: handle, deliveryId: nextOutgoingId, deliveryTag: tag, messageFormat: 0, settled: false)), payload: payload)))
            nextOutgoingId &+= 1
        }
        try await outbound.write(contentsOf: frames)
        return first
    }
}

extension AMQPMessageProperties {
    init(messageId: AMQPValue?, replyTo: String?) {
        self.init(messageId: messageId)
        self.replyTo = replyTo
    }
}
