import AccessControl
import Foundation
import Hub
import MQTTCodec
import NIOCore

/// MQTT decoding: the packets in a buffer decoded at once and fed one byte at a time must agree, and every
/// decoded packet the encoder accepts must decode back to itself. What the hub parses out of a packet next (the
/// SAS token in a CONNECT password, the property bag ending a telemetry topic) gets the decoded fields.
enum MQTTCodecFuzzing {
    /// Two limit settings: the server's defaults and tight ones that put the size checks within reach.
    static let limits = [MQTTCodecLimits(), MQTTCodecLimits(maximumPacketSize: 64, maximumTopicLength: 16)]

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        for limits in limits {
            let whole = decodeAll(ByteBuffer(bytes: input), limits: limits)
            for packet in whole.packets {
                try roundTrip(packet, limits: limits)
                parseFields(of: packet)
            }
        }
        // Dripping costs a decode attempt per byte; once, with the server's limits, is enough.
        let whole = decodeAll(ByteBuffer(bytes: input), limits: limits[0])
        let dripped = decodeDripped(input, limits: limits[0])
        guard whole.packets == dripped.packets, whole.failed == dripped.failed else {
            throw FuzzFinding("byte-at-a-time decoding gave \(dripped.packets.count) packets (failed: \(dripped.failed)), "
                              + "whole-buffer decoding \(whole.packets.count) (failed: \(whole.failed))")
        }
    }

    /// Decodes packets until the buffer runs dry or a packet is refused.
    static func decodeAll(_ buffer: ByteBuffer, limits: MQTTCodecLimits) -> (packets: [MQTTPacket], failed: Bool) {
        var buffer = buffer
        var packets: [MQTTPacket] = []
        do {
            while let packet = try MQTTPacket.decode(from: &buffer, limits: limits) {
                packets.append(packet)
            }
        } catch {
            return (packets, true)
        }
        return (packets, false)
    }

    /// The same, with the bytes arriving one at a time as a slow peer would send them.
    static func decodeDripped(_ input: [UInt8], limits: MQTTCodecLimits) -> (packets: [MQTTPacket], failed: Bool) {
        var buffer = ByteBuffer()
        var packets: [MQTTPacket] = []
        for byte in input {
            buffer.writeInteger(byte)
            do {
                while let packet = try MQTTPacket.decode(from: &buffer, limits: limits) {
                    packets.append(packet)
                }
            } catch {
                return (packets, true)
            }
        }
        return (packets, false)
    }

    /// The hub's parsers for packet fields, as the connection authenticator and the telemetry intake call them.
    static func parseFields(of packet: MQTTPacket) {
        switch packet {
        case .connect(let connect):
            if let password = connect.password {
                _ = try? SharedAccessSignature(parsing: String(decoding: password, as: UTF8.self))
            }
        case .publish(let publish):
            if let range = publish.topic.range(of: "/messages/events/") {
                _ = try? MessagePropertyBag(parsing: publish.topic[range.upperBound...])
            }
        default:
            break
        }
    }

    /// A decoded packet, encoded again, must decode to an equal packet and nothing else.
    static func roundTrip(_ packet: MQTTPacket, limits: MQTTCodecLimits) throws(FuzzFinding) {
        var encoded = ByteBuffer()
        do {
            try packet.checkedEncode(into: &encoded)
        } catch {
            // The encoder is stricter than the decoder for some fields (a server never sends them); not a finding.
            return
        }
        let size = try? packet.encodedSize()
        guard size == encoded.readableBytes else {
            throw FuzzFinding("encodedSize \(size.map(String.init) ?? "threw") but the encoder wrote \(encoded.readableBytes) bytes")
        }
        let again = decodeAll(encoded, limits: MQTTCodecLimits(maximumPacketSize: Int.max, maximumTopicLength: 65_535))
        guard !again.failed, again.packets == [packet] else {
            throw FuzzFinding("re-encoded \(packet) decoded to \(again.packets) (failed: \(again.failed))")
        }
    }
}
