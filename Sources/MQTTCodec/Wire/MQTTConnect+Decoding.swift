import NIOCore

extension MQTTConnect {
    /// Protocol levels whose payload layout this codec knows: 3 (MQTT 3.1) and 4 (MQTT 3.1.1).
    static let payloadLevels: ClosedRange<UInt8> = 3...4

    /// Decodes the CONNECT variable header and payload (spec sections 3.1.2 and 3.1.3).
    static func decodeBody(_ body: inout ByteBuffer, limits: MQTTCodecLimits) throws(MQTTCodecError) -> MQTTConnect {
        let protocolName = try body.readMQTTString("the CONNECT protocol name")
        let protocolLevel = try body.readMQTTByte("the CONNECT protocol level")
        let flags = try body.readMQTTByte("the CONNECT flags")
        let keepAlive = try body.readMQTTUInt16("the CONNECT keep-alive")

        guard flags & 0b0000_0001 == 0 else {
            throw .invalidFlags("CONNECT reserved flag bit 0 is set")
        }
        var connect = MQTTConnect(
            protocolName: protocolName,
            protocolLevel: protocolLevel,
            cleanSession: flags & 0b0000_0010 != 0,
            keepAliveSeconds: keepAlive
        )
        guard Self.payloadLevels.contains(protocolLevel) else {
            // Unknown level (e.g. MQTT 5, with properties next and its own flag rules): the session
            // layer refuses it with CONNACK 1, so the rest is skipped rather than misparsed.
            body.moveReaderIndex(forwardBy: body.readableBytes)
            return connect
        }

        let decodedFlags = try ConnectFlags(validating: flags)

        connect.clientIdentifier = try body.readMQTTString("the CONNECT client identifier")
        if let willQoS = decodedFlags.willQoS {
            let topic = try body.readMQTTTopicName("the CONNECT will topic", limits: limits)
            let payload = try body.readMQTTBinary("the CONNECT will message")
            connect.will = MQTTWill(topic: topic, payload: payload, qos: willQoS, retain: decodedFlags.willRetain)
        }
        if decodedFlags.hasUsername {
            connect.username = try body.readMQTTString("the CONNECT user name")
        }
        if decodedFlags.hasPassword {
            let password = try body.readMQTTBinary("the CONNECT password")
            connect.password = Array(password.readableBytesView)
        }
        return connect
    }
}

/// The CONNECT flags byte, validated (spec section 3.1.2.3).
private struct ConnectFlags {
    /// The will QoS, or nil when the will flag is clear.
    var willQoS: MQTTQoS?
    var willRetain: Bool
    var hasUsername: Bool
    var hasPassword: Bool

    /// Checks the MQTT 3.1.1 will and credential rules; the reserved bit is checked by the caller.
    init(validating flags: UInt8) throws(MQTTCodecError) {
        let hasWill = flags & 0b0000_0100 != 0
        let rawWillQoS = (flags >> 3) & 0b11
        self.willRetain = flags & 0b0010_0000 != 0
        self.hasPassword = flags & 0b0100_0000 != 0
        self.hasUsername = flags & 0b1000_0000 != 0

        if hasWill {
            guard let qos = MQTTQoS(rawValue: rawWillQoS) else {
                throw .invalidQoS("CONNECT will QoS is \(rawWillQoS)")
            }
            self.willQoS = qos
        } else {
            guard rawWillQoS == 0, !self.willRetain else {
                throw .invalidFlags("CONNECT sets will QoS or will retain without the will flag")
            }
            self.willQoS = nil
        }
        guard self.hasUsername || !self.hasPassword else {
            throw .invalidFlags("CONNECT sets the password flag without the user name flag")
        }
    }
}
