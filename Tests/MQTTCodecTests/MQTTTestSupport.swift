import MQTTCodec
import NIOCore

/// Helpers shared by the MQTTCodec test suites.
enum MQTTTestSupport {
    static func encode(_ packet: MQTTPacket) -> [UInt8] {
        var buffer = ByteBuffer()
        packet.encode(into: &buffer)
        return Array(buffer.readableBytesView)
    }

    static func decode(_ bytes: [UInt8], limits: MQTTCodecLimits = MQTTCodecLimits()) throws(MQTTCodecError) -> MQTTPacket? {
        var buffer = ByteBuffer(bytes: bytes)
        return try MQTTPacket.decode(from: &buffer, limits: limits)
    }

    /// The error code decoding `bytes` fails with, or nil if it does not fail.
    static func decodeErrorCode(_ bytes: [UInt8], limits: MQTTCodecLimits = MQTTCodecLimits()) -> MQTTCodecError.Code? {
        do {
            _ = try Self.decode(bytes, limits: limits)
            return nil
        } catch {
            return error.code
        }
    }

    /// An MQTT UTF-8 string: two-byte big-endian length then the bytes.
    static func string(_ value: String) -> [UInt8] {
        let bytes = Array(value.utf8)
        return [UInt8(bytes.count >> 8), UInt8(bytes.count & 0xFF)] + bytes
    }
}

extension MQTTTestSupport {
    static func bytes(_ string: String) -> ByteBuffer {
        ByteBuffer(string: string)
    }

    /// One or more packets of every type, with the optional fields both present and absent.
    static let samplePackets: [MQTTPacket] = [
        .connect(MQTTConnect(clientIdentifier: "dev-0001")),
        .connect(MQTTConnect(cleanSession: true, keepAliveSeconds: 0, clientIdentifier: "")),
        .connect(
            MQTTConnect(
                cleanSession: false,
                keepAliveSeconds: 240,
                clientIdentifier: "dev-0002",
                will: MQTTWill(topic: "devices/dev-0002/state", payload: bytes("offline"), qos: .exactlyOnce, retain: true),
                username: "hub/dev-0002/?api-version=2021-04-12",
                password: Array("SharedAccessSignature sr=x".utf8)
            )
        ),
        .connect(MQTTConnect(clientIdentifier: "ünïcødé-☃", username: "user-only")),
        .connect(MQTTConnect(protocolName: "MQIsdp", protocolLevel: 3, clientIdentifier: "legacy")),
        .connAck(MQTTConnAck(sessionPresent: false, returnCode: .accepted)),
        .connAck(MQTTConnAck(sessionPresent: true, returnCode: .accepted)),
        .connAck(MQTTConnAck(returnCode: .notAuthorized)),
        .publish(MQTTPublish(topic: "a/b", payload: bytes("hi"))),
        .publish(MQTTPublish(topic: "a", payload: ByteBuffer(), qos: .atMostOnce, retain: true)),
        .publish(MQTTPublish(topic: "devices/d/messages/events/", payload: bytes("{}"), qos: .atLeastOnce, packetIdentifier: 1)),
        .publish(
            MQTTPublish(topic: "t/ü", payload: bytes("x"), qos: .exactlyOnce, retain: true, duplicate: true, packetIdentifier: 65_535)
        ),
        .pubAck(packetIdentifier: 7),
        .pubRec(packetIdentifier: 8),
        .pubRel(packetIdentifier: 9),
        .pubComp(packetIdentifier: 10),
        .subscribe(MQTTSubscribe(packetIdentifier: 11, subscriptions: [MQTTSubscription(topicFilter: "a/+/c", qos: .atMostOnce)])),
        .subscribe(
            MQTTSubscribe(
                packetIdentifier: 12,
                subscriptions: [
                    MQTTSubscription(topicFilter: "devices/dev-0001/messages/devicebound/#", qos: .atLeastOnce),
                    MQTTSubscription(topicFilter: "$iothub/twin/res/#", qos: .atMostOnce),
                    MQTTSubscription(topicFilter: "#", qos: .exactlyOnce),
                ]
            )
        ),
        .subAck(MQTTSubAck(packetIdentifier: 12, returnCodes: [.granted(.atLeastOnce), .granted(.atMostOnce), .failure])),
        .unsubscribe(MQTTUnsubscribe(packetIdentifier: 13, topicFilters: ["a/#"])),
        .unsubscribe(MQTTUnsubscribe(packetIdentifier: 14, topicFilters: ["a/#", "b/+", "c"])),
        .unsubAck(packetIdentifier: 14),
        .pingReq,
        .pingResp,
        .disconnect,
    ]
}
