import MQTTCodec
import NIOCore
import Testing

/// SplitMix64: a tiny deterministic generator so the fuzz corpus is the same on every run.
struct SeededGenerator: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) {
        self.state = seed
    }

    mutating func next() -> UInt64 {
        self.state &+= 0x9E37_79B9_7F4A_7C15
        var z = self.state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Decoding never traps on arbitrary input")
struct MQTTDecoderFuzzTests {
    static let iterations = 4_000

    @Test("random byte strings")
    func randomBytes() {
        var generator = SeededGenerator(seed: 0x4D51_5454)
        var outcomes = Outcomes()
        for _ in 0..<Self.iterations {
            let length = Int.random(in: 0...64, using: &generator)
            var bytes = (0..<length).map { _ in UInt8.random(in: 0...255, using: &generator) }
            if !bytes.isEmpty && Bool.random(using: &generator) {
                // Give half of them a plausible first byte so the body parsers are reached.
                bytes[0] = Self.plausibleFirstBytes.randomElement(using: &generator) ?? 0x30
                if bytes.count > 1 { bytes[1] = UInt8(truncatingIfNeeded: bytes.count - 2) & 0x7F }
            }
            outcomes.record(Self.decodeAll(bytes))
        }
        #expect(outcomes.total == Self.iterations)
        #expect(outcomes.errors > 0 && outcomes.packets > 0)
    }

    @Test("mutated valid packets")
    func mutatedPackets() {
        var generator = SeededGenerator(seed: 0x0031_3131)
        let corpus = MQTTTestSupport.samplePackets.map(MQTTTestSupport.encode)
        var outcomes = Outcomes()
        for _ in 0..<Self.iterations {
            var bytes = corpus.randomElement(using: &generator) ?? []
            let mutations = Int.random(in: 1...4, using: &generator)
            for _ in 0..<mutations where !bytes.isEmpty {
                let index = Int.random(in: 0..<bytes.count, using: &generator)
                switch Int.random(in: 0..<4, using: &generator) {
                case 0: bytes[index] = UInt8.random(in: 0...255, using: &generator)
                case 1: bytes[index] ^= 1 << UInt8.random(in: 0..<8, using: &generator)
                case 2: bytes.removeSubrange(index...)
                default: bytes.insert(UInt8.random(in: 0...255, using: &generator), at: index)
                }
            }
            outcomes.record(Self.decodeAll(bytes))
        }
        #expect(outcomes.total == Self.iterations)
        #expect(outcomes.errors > 0 && outcomes.packets > 0)
    }

    static let plausibleFirstBytes: [UInt8] = [0x10, 0x20, 0x30, 0x32, 0x34, 0x3B, 0x40, 0x50, 0x62, 0x70, 0x82, 0x90, 0xA2, 0xB0, 0xC0, 0xD0, 0xE0]

    enum Outcome { case packets, needMoreBytes, error }

    struct Outcomes {
        var packets = 0
        var needMoreBytes = 0
        var errors = 0
        var total: Int { self.packets + self.needMoreBytes + self.errors }

        mutating func record(_ outcome: Outcome) {
            switch outcome {
            case .packets: self.packets += 1
            case .needMoreBytes: self.needMoreBytes += 1
            case .error: self.errors += 1
            }
        }
    }

    /// Decodes until the input is used up, checking the codec's invariants on the way.
    static func decodeAll(_ bytes: [UInt8]) -> Outcome {
        var buffer = ByteBuffer(bytes: bytes)
        var sawPacket = false
        while true {
            let before = buffer
            do {
                guard let packet = try MQTTPacket.decode(from: &buffer) else {
                    #expect(buffer == before && buffer.readerIndex == before.readerIndex, "nil must leave the buffer untouched")
                    return sawPacket ? .packets : .needMoreBytes
                }
                sawPacket = true
                #expect(buffer.readerIndex > before.readerIndex)
                // Whatever decodes re-encodes to something that decodes to the same packet.
                var reencoded = ByteBuffer()
                packet.encode(into: &reencoded)
                #expect(try MQTTPacket.decode(from: &reencoded) == packet)
            } catch {
                #expect(buffer == before && buffer.readerIndex == before.readerIndex, "errors must leave the buffer untouched")
                return .error
            }
        }
    }
}
