import Foundation
import Logging
import MQTTCodec
import NIOCore
import NIOPosix
import NIOSSL
import PKI
import ServiceLifecycle
import Testing
@testable import Gateway

/// The listener over real TLS on loopback with an authenticator that admits everyone.
@Suite("MQTT listener", .timeLimit(.minutes(2)))
struct MQTTListenerTests {
    struct AcceptEveryone: MQTTConnectAuthenticator {
        struct Session: MQTTSession {
            func publish(_ message: MQTTPublish) async throws {}
            func subscribe(_ subscriptions: [MQTTSubscription]) async -> [MQTTSubAckReturnCode] { subscriptions.map { .granted($0.qos) } }
            func unsubscribe(_ topicFilters: [String]) async {}
            func acknowledged(packetIdentifier: UInt16) async {}
            func closed() async {}
        }

        func authenticate(_ request: MQTTConnectRequest) async -> MQTTConnectDecision {
            .accept(Session(), sessionPresent: false)
        }
    }

    /// A running listener on 127.0.0.1 with a fresh CA; stopped when `body` returns.
    func withListener(_ body: @Sendable (Int, String) async throws -> Void) async throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("listener-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: directory) }
        let hierarchy = try await CAHierarchy.loadOrCreate(
            directory: directory, keyStore: FileCAKeyStore(directory: directory.appendingPathComponent("keys")),
            configuration: .builtIn, profiles: .builtIn, inventory: InMemoryCertificateInventory(), now: Date())
        let credential = try await hierarchy.issueTLSServerCertificate(
            dnsNames: [], ipAddresses: ["127.0.0.1"], now: Date(), profile: try ProfileCatalog.builtIn.profile(named: "tls-server"))
        let identity = TLSServerIdentity(certificateChainPEM: credential.certificateChainPEM, privateKeyPEM: credential.privateKeyPEM,
                                         clientTrustRootsPEM: hierarchy.trustBundlePEM)
        let bound = AsyncStream<Int>.makeStream()
        let listener = MQTTListener(
            // A generous CONNECT deadline: the whole suite on two cores can starve this test for seconds.
            configuration: .init(name: "test", host: "127.0.0.1", port: 0, identity: identity, connectTimeout: .seconds(60)),
            authenticator: AcceptEveryone(), logger: Logger(label: "test"),
            onBound: { address in bound.continuation.yield(address.port ?? 0) })
        let group = ServiceGroup(services: [listener], logger: Logger(label: "test"))
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var ports = bound.stream.makeAsyncIterator()
            let port = try #require(await ports.next())
            try await body(port, hierarchy.trustBundlePEM)
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
    }

    @Test("a silent client is closed after 1.5 × its keep-alive")
    func keepAliveExpiry() async throws {
        try await withListener { port, trust in
            let client = try await TestClient.connect(port: port, trustPEM: trust)
            // Timed from before CONNECT leaves: the server's keep-alive clock starts after it reads CONNECT, so it
            // cannot close sooner than 1.5 s from here, however slowly this side sees the CONNACK.
            let start = ContinuousClock.now
            try await client.send(.connect(MQTTConnect(keepAliveSeconds: 1, clientIdentifier: "quiet")))
            #expect(try await client.next() == .connAck(MQTTConnAck(sessionPresent: false, returnCode: .accepted)))
            #expect(try await client.next(timeout: .seconds(10)) == nil, "the server closes the connection")
            let silence = ContinuousClock.now - start
            #expect(silence >= .milliseconds(1500), "not before 1.5 × keep-alive (\(silence))")
        }
    }

    @Test("PINGREQ keeps a connection alive and is answered")
    func pingKeepsAlive() async throws {
        try await withListener { port, trust in
            let client = try await TestClient.connect(port: port, trustPEM: trust)
            try await client.send(.connect(MQTTConnect(keepAliveSeconds: 30, clientIdentifier: "pinger")))
            _ = try await client.next()
            for _ in 0..<3 {
                try await client.send(.pingReq)
                #expect(try await client.next() == .pingResp)
            }
        }
    }

    @Test("a second CONNECT with the same client id replaces the first connection")
    func sameClientIdKicksTheOldConnection() async throws {
        try await withListener { port, trust in
            let first = try await TestClient.connect(port: port, trustPEM: trust)
            try await first.send(.connect(MQTTConnect(clientIdentifier: "twin-client")))
            _ = try await first.next()
            let second = try await TestClient.connect(port: port, trustPEM: trust)
            try await second.send(.connect(MQTTConnect(clientIdentifier: "twin-client")))
            #expect(try await second.next() == .connAck(MQTTConnAck(sessionPresent: false, returnCode: .accepted)))
            #expect(try await first.next(timeout: .seconds(5)) == nil, "the old connection is closed")
            try await second.send(.pingReq)
            #expect(try await second.next() == .pingResp, "the new one keeps working")
        }
    }
}

/// A minimal MQTT-over-TLS client: send packets, await the next one (nil = closed).
final class TestClient: Sendable {
    let channel: NIOAsyncChannel<MQTTPacket, MQTTPacket>
    let inbound: AsyncStream<MQTTPacket?>

    init(channel: NIOAsyncChannel<MQTTPacket, MQTTPacket>, inbound: AsyncStream<MQTTPacket?>) {
        self.channel = channel
        self.inbound = inbound
    }

    deinit {
        channel.outbound.finish()
        channel.channel.close(promise: nil)
    }

    static func connect(port: Int, trustPEM: String) async throws -> TestClient {
        var tls = TLSConfiguration.makeClientConfiguration()
        tls.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(trustPEM.utf8)))
        let context = try NIOSSLContext(configuration: tls)
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connect(host: "127.0.0.1", port: port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(NIOSSLClientHandler(context: context, serverHostname: nil))
                    try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(MQTTPacketDecoder()))
                    try channel.pipeline.syncOperations.addHandler(MessageToByteHandler(MQTTPacketEncoder()))
                    return try NIOAsyncChannel<MQTTPacket, MQTTPacket>(wrappingChannelSynchronously: channel)
                }
            }
        let (stream, continuation) = AsyncStream<MQTTPacket?>.makeStream()
        let reader = channel.inbound
        Task {
            do {
                for try await packet in reader { continuation.yield(packet) }
            } catch {}
            continuation.yield(nil)
            continuation.finish()
        }
        return TestClient(channel: channel, inbound: stream)
    }

    func send(_ packet: MQTTPacket) async throws {
        try await channel.outbound.write(packet)
    }

    /// The next packet, nil when the connection closed; fails the test after `timeout` (generous: on a loaded CI
    /// machine a TLS round trip can take seconds, and a prompt answer returns at once anyway).
    func next(timeout: Duration = .seconds(30)) async throws -> MQTTPacket? {
        try await withThrowingTaskGroup(of: MQTTPacket??.self) { group in
            group.addTask {
                var iterator = self.inbound.makeAsyncIterator()
                return .some(await iterator.next() ?? nil)
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return .none
            }
            let first = try await group.next()!
            group.cancelAll()
            guard let result = first else { throw TestTimeout() }
            return result
        }
    }

    struct TestTimeout: Error {}
}
