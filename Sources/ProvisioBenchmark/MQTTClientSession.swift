import MQTTCodec
import NIOCore
import NIOPosix
import NIOSSL

/// A plain MQTT-over-TLS client connection for request/response flows (DPS registration, twin, methods):
/// send packets, await the next one. Used by one task at a time, inside ``with(host:port:tls:readTimeout:_:)``.
struct MQTTClientSession {
    private var inbound: NIOAsyncChannelInboundStream<MQTTPacket>.AsyncIterator
    /// Writes packets; may be shared with other tasks.
    let outbound: NIOAsyncChannelOutboundWriter<MQTTPacket>

    /// Connects, completes the TLS handshake, runs `body` and closes the connection.
    static func with<Result: Sendable>(
        host: String, port: Int, tls: NIOSSLContext, readTimeout: TimeAmount = .seconds(60),
        _ body: (inout MQTTClientSession) async throws -> Result
    ) async throws -> Result {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: Void.self)
        let serverHostname = ClientTLS.serverHostname(for: host)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .connect(to: try SocketAddress(ipAddress: host, port: port)) { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    try sync.addHandler(TLSHandshakeWaiter(promise: handshake))
                    try sync.addHandler(IdleStateHandler(readTimeout: readTimeout))
                    try sync.addHandler(IdleCloseHandler())
                    try sync.addHandler(ByteToMessageHandler(MQTTPacketDecoder()))
                    try sync.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
                    return try NIOAsyncChannel<MQTTPacket, MQTTPacket>(wrappingChannelSynchronously: channel)
                }
            }
        do {
            try await handshake.futureResult.get()
        } catch {
            try? await channel.channel.close()
            throw BenchmarkError("TLS handshake with \(host):\(port) failed: \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            var session = MQTTClientSession(inbound: inbound.makeAsyncIterator(), outbound: outbound)
            return try await body(&session)
        }
    }

    private init(inbound: NIOAsyncChannelInboundStream<MQTTPacket>.AsyncIterator, outbound: NIOAsyncChannelOutboundWriter<MQTTPacket>) {
        self.inbound = inbound
        self.outbound = outbound
    }

    /// Sends a packet.
    func send(_ packet: MQTTPacket) async throws {
        try await outbound.write(packet)
    }

    /// The next packet; throws when the connection ended.
    mutating func next() async throws -> MQTTPacket {
        guard let packet = try await inbound.next() else {
            throw BenchmarkError("the server closed the MQTT connection (or sent nothing for the read timeout)")
        }
        return packet
    }

    /// The next PUBLISH, skipping PUBACKs and other acknowledgements.
    mutating func nextPublish() async throws -> MQTTPublish {
        while true {
            if case .publish(let publish) = try await next() { return publish }
        }
    }

    /// Sends CONNECT and requires CONNACK 0.
    mutating func connect(_ connect: MQTTConnect) async throws {
        try await send(.connect(connect))
        guard case .connAck(let ack) = try await next() else {
            throw BenchmarkError("the server answered CONNECT with something other than CONNACK")
        }
        guard ack.returnCode == .accepted else {
            throw BenchmarkError("CONNECT refused: CONNACK \(ack.returnCode.rawValue) (\(ack.returnCode))")
        }
    }

    /// Subscribes at QoS 1 and requires every filter to be granted.
    mutating func subscribe(_ filters: [String], packetIdentifier: UInt16 = 1) async throws {
        try await send(.subscribe(MQTTSubscribe(packetIdentifier: packetIdentifier,
                                                subscriptions: filters.map { MQTTSubscription(topicFilter: $0, qos: .atLeastOnce) })))
        while true {
            guard case .subAck(let ack) = try await next() else { continue }
            guard !ack.returnCodes.contains(.failure) else { throw BenchmarkError("SUBSCRIBE \(filters) was refused") }
            return
        }
    }
}
