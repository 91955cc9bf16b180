import MQTTCodec
import NIOCore

/// Measures MQTTCodec encode and decode throughput on a typical IoT telemetry PUBLISH.
///
/// Run a release build: `swift build -c release --product provisio-codec-bench && .build/release/provisio-codec-bench`.
@main
struct CodecBenchmark {
    static let iterations = 2_000_000
    static let warmUpIterations = 200_000
    static let packetsPerDecodeBuffer = 10_000

    static func main() throws {
        let packet = Self.telemetryPublish()
        let packetSize = try packet.encodedSize()
        print("MQTTCodec benchmark: QoS 1 PUBLISH, 256-byte payload, \(packetSize) bytes on the wire")
        print("iterations: \(Self.iterations) (after \(Self.warmUpIterations) warm-up)\n")

        _ = Self.encodeLoop(packet, count: Self.warmUpIterations)
        let encode = Self.measure("encode", packetSize: packetSize) { Self.encodeLoop(packet, count: Self.iterations) }

        let stream = Self.stream(of: packet, count: Self.packetsPerDecodeBuffer)
        _ = try Self.decodeLoop(stream, count: Self.warmUpIterations)
        let decode = try Self.measure("decode", packetSize: packetSize) {
            try Self.decodeLoop(stream, count: Self.iterations)
        }

        print(BenchmarkResult.tableHeader)
        print(encode.row)
        print(decode.row)
        print("\nchecksum: \(encode.checksum &+ decode.checksum)")
    }

    /// A device-to-cloud message the way Azure IoT device SDKs publish it.
    static func telemetryPublish() -> MQTTPacket {
        var payload = ByteBuffer()
        payload.writeBytes((0..<256).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) })
        return .publish(
            MQTTPublish(
                topic: "devices/dev-0001/messages/events/%24.ct=application%2Fjson&%24.ce=utf-8",
                payload: payload,
                qos: .atLeastOnce,
                packetIdentifier: 42
            )
        )
    }

    static func stream(of packet: MQTTPacket, count: Int) -> ByteBuffer {
        var buffer = ByteBuffer()
        for _ in 0..<count {
            packet.encode(into: &buffer)
        }
        return buffer
    }

    static func measure(
        _ name: String,
        packetSize: Int,
        _ body: () throws -> UInt64
    ) rethrows -> BenchmarkResult {
        let clock = ContinuousClock()
        let start = clock.now
        let checksum = try body()
        let elapsed = start.duration(to: clock.now)
        return BenchmarkResult(
            name: name,
            packets: Self.iterations,
            bytesPerPacket: packetSize,
            elapsed: elapsed,
            checksum: checksum
        )
    }

    /// Encodes into one reused buffer, as an outbound handler would after each flush.
    static func encodeLoop(_ packet: MQTTPacket, count: Int) -> UInt64 {
        var buffer = ByteBuffer()
        buffer.reserveCapacity(1024)
        var checksum: UInt64 = 0
        for _ in 0..<count {
            buffer.clear()
            packet.encode(into: &buffer)
            checksum &+= UInt64(buffer.readableBytes) &+ UInt64(buffer.getInteger(at: buffer.writerIndex - 1, as: UInt8.self) ?? 0)
        }
        return checksum
    }

    /// Decodes back-to-back packets from a pre-encoded stream, as the inbound handler sees them.
    static func decodeLoop(_ stream: ByteBuffer, count: Int) throws -> UInt64 {
        var checksum: UInt64 = 0
        var decoded = 0
        var buffer = stream
        while decoded < count {
            if buffer.readableBytes == 0 {
                buffer = stream
            }
            guard case .publish(let publish) = try MQTTPacket.decode(from: &buffer) else {
                fatalError("benchmark stream did not decode to a PUBLISH")
            }
            checksum &+= UInt64(publish.payload.readableBytes) &+ UInt64(publish.packetIdentifier ?? 0)
                &+ UInt64(publish.topic.utf8.count)
            decoded += 1
        }
        return checksum
    }
}
