import Foundation
import MQTTCodec
import NIOCore
import NIOPosix
import NIOSSL

/// A deliberately dumb MQTT-over-TLS client for probing the server with raw bytes or encoded packets.
///
/// It keeps no session state and never answers anything; a test sends what it wants and awaits the
/// next ``Event`` with a deadline. TLS trusts only the server's trust bundle and checks the
/// certificate's IP SANs against the dialled address.
final class MQTTTestClient: Sendable {
    /// Something the server did.
    enum Event: Sendable, Equatable {
        /// A complete packet arrived.
        case packet(MQTTPacket)
        /// The connection closed.
        case closed
        /// The server sent bytes the codec rejects (the client closes then).
        case undecodable(String)
    }

    /// What the handler observed, awaited by the test.
    struct Inbox: Sendable {
        var events: [Event] = []
        var handshakeCompleted = false
        var closed = false
        var errors: [String] = []
    }

    /// `host:port`, for messages.
    let endpoint: String
    private let channel: any Channel
    private let inbox: AwaitableState<Inbox>

    private init(endpoint: String, channel: any Channel, inbox: AwaitableState<Inbox>) {
        self.endpoint = endpoint
        self.channel = channel
        self.inbox = inbox
    }

    deinit {
        channel.close(promise: nil)
    }

    /// Connects over TCP, completes the TLS handshake, and returns the client; throws if either fails within `timeout`.
    static func connect(host: String, port: Int, trustBundle: URL, timeout: Duration = .seconds(10)) async throws -> MQTTTestClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .file(trustBundle.path)
        tls.certificateVerification = .fullVerification
        let context = try NIOSSLContext(configuration: tls)
        let inbox = AwaitableState(Inbox())
        let endpoint = "\(host):\(port)"
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.milliseconds(Int64(timeout.components.seconds * 1000)))
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // No SNI for an IP literal; with full verification NIOSSL then matches the
                    // certificate's IP SANs against the peer address.
                    let tlsHandler = try NIOSSLClientHandler(context: context, serverHostname: nil)
                    try channel.pipeline.syncOperations.addHandler(tlsHandler)
                    try channel.pipeline.syncOperations.addHandler(InboundHandler(inbox: inbox, tlsHandler: tlsHandler))
                }
            }
            .connect(to: try SocketAddress(ipAddress: host, port: port))
            .get()
        let handshake = await inbox.wait(timeout: timeout) { inbox -> Bool? in
            inbox.handshakeCompleted ? true : (inbox.closed ? false : nil)
        }
        guard handshake == true else {
            try? await channel.close()
            let errors = inbox.read { $0.errors }
            throw TestEnvironmentError("TLS handshake with \(endpoint) \(handshake == nil ? "timed out" : "failed"): \(errors)")
        }
        return MQTTTestClient(endpoint: endpoint, channel: channel, inbox: inbox)
    }

    /// Sends raw bytes.
    func send(bytes: [UInt8]) async throws {
        try await channel.writeAndFlush(ByteBuffer(bytes: bytes))
    }

    /// Encodes and sends a packet.
    func send(_ packet: MQTTPacket) async throws {
        var buffer = channel.allocator.buffer(capacity: 64)
        packet.encode(into: &buffer)
        try await channel.writeAndFlush(buffer)
    }

    /// The next event, in order of arrival; throws if nothing happens within `timeout`.
    func nextEvent(timeout: Duration = .seconds(5)) async throws -> Event {
        let event = await inbox.wait(timeout: timeout) { inbox -> Event? in
            inbox.events.isEmpty ? nil : inbox.events.removeFirst()
        }
        guard let event else {
            throw TestEnvironmentError("no MQTT packet and no close from \(endpoint) within \(timeout)")
        }
        return event
    }

    /// Errors the pipeline reported (TLS alerts, resets), for diagnostics.
    var errors: [String] { inbox.read { $0.errors } }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }

    /// Decodes inbound bytes into events; event-loop bound like every handler.
    private final class InboundHandler: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer

        private let inbox: AwaitableState<Inbox>
        private let tlsHandler: NIOSSLClientHandler
        private var buffer = ByteBuffer()
        private var failed = false

        init(inbox: AwaitableState<Inbox>, tlsHandler: NIOSSLClientHandler) {
            self.inbox = inbox
            self.tlsHandler = tlsHandler
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            var bytes = unwrapInboundIn(data)
            guard !failed else { return }
            buffer.writeBuffer(&bytes)
            do {
                while let packet = try MQTTPacket.decode(from: &buffer, limits: MQTTCodecLimits()) {
                    inbox.update { $0.events.append(.packet(packet)) }
                }
                buffer.discardReadBytes()
            } catch {
                failed = true
                inbox.update { $0.events.append(.undecodable("\(error)")) }
                context.close(promise: nil)
            }
        }

        func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
            // NIOSSL's user events are "handshake completed" (fired after chain and IP checks
            // passed) and "shutdown completed"; both follow a verified peer certificate. Matching the
            // `TLSUserEvent` type itself would need NIOTLS, which this target does not depend on.
            if tlsHandler.peerCertificate != nil {
                inbox.update { $0.handshakeCompleted = true }
            }
            context.fireUserInboundEventTriggered(event)
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            inbox.update { $0.errors.append("\(error)") }
            context.close(promise: nil)
        }

        func channelInactive(context: ChannelHandlerContext) {
            inbox.update { inbox in
                inbox.closed = true
                inbox.events.append(.closed)
            }
            context.fireChannelInactive()
        }
    }
}
