import MQTTCodec
import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import Gateway

/// The event-loop telemetry path on an embedded channel: what it takes, when PUBACKs go out, and when it stops reading.
@Suite("MQTT publish fast path")
struct MQTTPublishFastPathTests {
    /// Takes topics under `fast/`; completions wait until the test runs them.
    final class HeldPath: MQTTPublishFastPath {
        let held = Mutex<[(topic: String, completion: @Sendable (Result<Void, any Error>) -> Void)]>([])

        func take(_ publish: MQTTPublish, completion: @escaping @Sendable (Result<Void, any Error>) -> Void) -> Bool {
            guard publish.topic.hasPrefix("fast/") else { return false }
            held.withLock { $0.append((publish.topic, completion)) }
            return true
        }

        var count: Int { held.withLock { $0.count } }

        /// Completes the first `count` held messages, in order.
        func complete(_ count: Int, with result: Result<Void, any Error> = .success(())) {
            let completions = held.withLock { held in
                defer { held.removeFirst(count) }
                return held.prefix(count).map(\.completion)
            }
            for completion in completions { completion(result) }
        }
    }

    /// Counts `read()` calls that reach the socket end of the pipeline.
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = ByteBuffer
        var reads = 0
        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    struct StoreFailed: Error {}

    func publish(_ topic: String, id: UInt16?, qos: MQTTQoS = .atLeastOnce) -> MQTTPacket {
        .publish(MQTTPublish(topic: topic, payload: ByteBuffer(string: "x"), qos: qos, packetIdentifier: id))
    }

    /// The PUBACK packet identifiers in the next outbound buffer; nil when nothing was written.
    func acknowledged(_ channel: EmbeddedChannel) throws -> [UInt16]? {
        guard var buffer = try channel.readOutbound(as: ByteBuffer.self) else { return nil }
        var identifiers: [UInt16] = []
        while buffer.readableBytes > 0 {
            #expect(buffer.readInteger(as: UInt8.self) == 0x40)
            #expect(buffer.readInteger(as: UInt8.self) == 2)
            let identifier = buffer.readInteger(as: UInt16.self)
            identifiers.append(try #require(identifier))
        }
        return identifiers
    }

    func makeChannel(activated path: HeldPath?, budget: UncommittedTelemetryBudget = UncommittedTelemetryBudget())
        throws -> (EmbeddedChannel, MQTTPublishFastPathHandler, ReadCounter) {
        let counter = ReadCounter()
        let handler = MQTTPublishFastPathHandler(budget: budget)
        let channel = EmbeddedChannel()
        try channel.pipeline.syncOperations.addHandler(counter)
        try channel.pipeline.syncOperations.addHandler(handler)
        if let path { handler.activate(path) }
        return (channel, handler, counter)
    }

    @Test("before activation, and for packets the path declines, everything goes to the session")
    func passThrough() throws {
        let path = HeldPath()
        let (channel, handler, _) = try makeChannel(activated: nil)
        try channel.writeInbound(publish("fast/a", id: 1))
        #expect(try channel.readInbound(as: MQTTPacket.self) == publish("fast/a", id: 1))
        handler.activate(path)
        try channel.writeInbound(publish("slow/b", id: 2))
        try channel.writeInbound(MQTTPacket.pingReq)
        #expect(try channel.readInbound(as: MQTTPacket.self) == publish("slow/b", id: 2))
        #expect(try channel.readInbound(as: MQTTPacket.self) == .pingReq)
        #expect(path.count == 0)
    }

    @Test("PUBACKs go out only once messages are committed, in the order the PUBLISH packets came, none for QoS 0")
    func acknowledgesAfterCommit() throws {
        let path = HeldPath()
        let (channel, _, _) = try makeChannel(activated: path)
        try channel.writeInbound(publish("fast/1", id: 7))
        try channel.writeInbound(publish("fast/2", id: nil, qos: .atMostOnce))
        try channel.writeInbound(publish("fast/3", id: 9))
        #expect(try channel.readInbound(as: MQTTPacket.self) == nil, "taken packets do not reach the session")
        #expect(path.count == 3)
        channel.embeddedEventLoop.run()
        #expect(try acknowledged(channel) == nil, "nothing is acknowledged before the commit")
        path.complete(2)
        channel.embeddedEventLoop.run()
        #expect(try acknowledged(channel) == [7])
        #expect(try acknowledged(channel) == nil)
        try channel.writeInbound(publish("fast/4", id: 11))
        path.complete(2)
        channel.embeddedEventLoop.run()
        #expect(try acknowledged(channel) == [9, 11], "one buffer for the PUBACKs of one commit")
    }

    @Test("reading pauses while too many messages wait for their commit and resumes after")
    func backpressure() throws {
        let path = HeldPath()
        let (channel, _, counter) = try makeChannel(activated: path)
        for id in 1...UncommittedTelemetryBudget().messagesPerConnection {
            try channel.writeInbound(publish("fast/\(id)", id: UInt16(id)))
        }
        let before = counter.reads
        channel.read()
        #expect(counter.reads == before, "no read while \(UncommittedTelemetryBudget().messagesPerConnection) messages wait")
        path.complete(1)
        channel.embeddedEventLoop.run()
        #expect(counter.reads == before + 1, "the deferred read goes out once one is committed")
        #expect(try acknowledged(channel) == [1])
        channel.read()
        #expect(counter.reads == before + 2)
    }

    @Test("a message that could not be stored closes the connection without a PUBACK")
    func failureCloses() throws {
        let path = HeldPath()
        let (channel, _, _) = try makeChannel(activated: path)
        try channel.writeInbound(publish("fast/1", id: 1))
        path.complete(1, with: .failure(StoreFailed()))
        channel.embeddedEventLoop.run()
        #expect(try acknowledged(channel) == nil)
        #expect(!channel.isActive)
    }

    func publish(_ topic: String, id: UInt16, bytes: Int) -> MQTTPacket {
        .publish(MQTTPublish(topic: topic, payload: ByteBuffer(repeating: 0x61, count: bytes), qos: .atLeastOnce, packetIdentifier: id))
    }

    @Test("reading pauses while a connection's uncommitted bytes reach its bound, and resumes after the commit")
    func byteBackpressure() throws {
        let path = HeldPath()
        let budget = UncommittedTelemetryBudget(messagesPerConnection: 64, bytesPerConnection: 1_000, totalBytes: 1 << 20)
        let (channel, _, counter) = try makeChannel(activated: path, budget: budget)
        try channel.writeInbound(publish("fast/1", id: 1, bytes: 600))
        let before = counter.reads
        channel.read()
        #expect(counter.reads == before + 1, "under the byte bound it reads")
        try channel.writeInbound(publish("fast/2", id: 2, bytes: 600))
        channel.read()
        #expect(counter.reads == before + 1, "two messages, but 1,200 bytes wait: no read")
        #expect(budget.outstandingBytes == 1_200 + 2 * "fast/1".utf8.count)
        path.complete(1)
        channel.embeddedEventLoop.run()
        #expect(counter.reads == before + 2, "the deferred read goes out once bytes are committed")
        path.complete(1)
        channel.embeddedEventLoop.run()
        #expect(budget.outstandingBytes == 0, "committed bytes leave the global count")
    }

    @Test("over the global bound, connections with messages waiting pause; one with nothing waiting still reads")
    func globalBackpressure() throws {
        let budget = UncommittedTelemetryBudget(messagesPerConnection: 64, bytesPerConnection: 1 << 20, totalBytes: 1_000)
        let (pathA, pathB) = (HeldPath(), HeldPath())
        let (a, _, counterA) = try makeChannel(activated: pathA, budget: budget)
        let (b, _, counterB) = try makeChannel(activated: pathB, budget: budget)
        try a.writeInbound(publish("fast/a", id: 1, bytes: 1_200))
        let (beforeA, beforeB) = (counterA.reads, counterB.reads)
        a.read()
        b.read()
        #expect(counterA.reads == beforeA, "A is over the global bound with its own message waiting")
        #expect(counterB.reads == beforeB + 1, "B has nothing waiting: it is never starved")
        try b.writeInbound(publish("fast/b", id: 1, bytes: 10))
        b.read()
        #expect(counterB.reads == beforeB + 1, "B now waits too")
        pathA.complete(1)
        a.embeddedEventLoop.run()
        #expect(counterA.reads == beforeA + 1)
        b.read()
        #expect(counterB.reads == beforeB + 2, "under the global bound again")
        pathB.complete(1)
        b.embeddedEventLoop.run()
    }

    @Test("bytes of a connection that closed before its commit still leave the global count")
    func closedConnectionReleasesBudget() throws {
        let path = HeldPath()
        let budget = UncommittedTelemetryBudget()
        let (channel, _, _) = try makeChannel(activated: path, budget: budget)
        try channel.writeInbound(publish("fast/1", id: 1, bytes: 100))
        try channel.close().wait()
        path.complete(1)
        channel.embeddedEventLoop.run()
        #expect(budget.outstandingBytes == 0)
    }
}
