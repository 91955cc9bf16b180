import AMQPCodec
import NIOCore

/// AMQP 1.0 decoding: headers and frames decoded from a whole buffer and fed one byte at a time must agree; every
/// decoded frame re-encodes to bytes that decode to the same frame; every transfer payload is tried as a message
/// (and a batch), and a decoded message survives its own round trip.
enum AMQPCodecFuzzing {
    /// The server's defaults and tight limits that put the size and depth checks within reach.
    static let limits = [AMQPCodecLimits(), AMQPCodecLimits(maximumFrameSize: 512, maximumMessageSize: 512, maximumNestingDepth: 4,
                                                             maximumElementCount: 16)]

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        for limits in limits {
            let whole = decodeAll(ByteBuffer(bytes: input), limits: limits)
            for inbound in whole.items {
                guard case .frame(let frame) = inbound else { continue }
                try roundTrip(frame, limits: limits)
                if case .amqp(_, .transfer, let payload) = frame { try message(payload, limits: limits) }
            }
        }
        let whole = decodeAll(ByteBuffer(bytes: input), limits: limits[0])
        let dripped = decodeDripped(input, limits: limits[0])
        guard whole.items == dripped.items, whole.failed == dripped.failed else {
            throw FuzzFinding("byte-at-a-time decoding gave \(dripped.items.count) items (failed: \(dripped.failed)), "
                              + "whole-buffer decoding \(whole.items.count) (failed: \(whole.failed))")
        }
        // The input as a bare message too (what a transfer's payload holds).
        try message(ByteBuffer(bytes: input), limits: limits[0])
    }

    static func decodeAll(_ buffer: ByteBuffer, limits: AMQPCodecLimits) -> (items: [AMQPInbound], failed: Bool) {
        var buffer = buffer
        var items: [AMQPInbound] = []
        let decoder = AMQPFrameDecoder(limits: limits)
        do {
            while let item = try decoder.decodeNext(&buffer) { items.append(item) }
        } catch {
            return (items, true)
        }
        return (items, false)
    }

    static func decodeDripped(_ input: [UInt8], limits: AMQPCodecLimits) -> (items: [AMQPInbound], failed: Bool) {
        var buffer = ByteBuffer()
        var items: [AMQPInbound] = []
        let decoder = AMQPFrameDecoder(limits: limits)
        for byte in input {
            buffer.writeInteger(byte)
            do {
                while let item = try decoder.decodeNext(&buffer) { items.append(item) }
            } catch {
                return (items, true)
            }
        }
        return (items, false)
    }

    static func roundTrip(_ frame: AMQPFrame, limits: AMQPCodecLimits) throws(FuzzFinding) {
        var encoded = ByteBuffer()
        encoded.writeAMQPFrame(frame)
        let generous = AMQPCodecLimits(maximumFrameSize: Int(UInt32.max), maximumMessageSize: limits.maximumMessageSize,
                                       maximumNestingDepth: limits.maximumNestingDepth + 2, maximumElementCount: limits.maximumElementCount)
        do {
            guard let again = try AMQPFrameDecoder(limits: generous).decodeNext(&encoded), again == .frame(frame) else {
                throw FuzzFinding("a decoded frame did not decode back to itself after re-encoding")
            }
        } catch let finding as FuzzFinding {
            throw finding
        } catch {
            throw FuzzFinding("a decoded frame could not be decoded after re-encoding: \(error)")
        }
    }

    static func message(_ payload: ByteBuffer, limits: AMQPCodecLimits) throws(FuzzFinding) {
        _ = try? AMQPMessage.decodingBatch(payload, limits: limits)
        guard let message = try? AMQPMessage(decoding: payload, limits: limits) else { return }
        let generous = AMQPCodecLimits(maximumNestingDepth: limits.maximumNestingDepth + 2, maximumElementCount: limits.maximumElementCount)
        guard let again = try? AMQPMessage(decoding: message.encoded, limits: generous), again == message else {
            throw FuzzFinding("a decoded message did not decode back to itself after re-encoding")
        }
    }
}
