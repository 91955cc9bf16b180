import NIOCore

extension MQTTPacket {
    /// Decodes one packet from the front of `buffer`; nil (buffer untouched) when the packet is not complete yet.
    ///
    /// The reader index only moves past a packet that decoded successfully. On a throw the buffer
    /// is left as it was and the connection should be closed: MQTT has no way to resynchronise.
    /// Oversized packets are rejected from the fixed header alone, and no storage is reserved
    /// for a length the peer merely claims.
    public static func decode(
        from buffer: inout ByteBuffer,
        limits: MQTTCodecLimits = MQTTCodecLimits()
    ) throws(MQTTCodecError) -> MQTTPacket? {
        guard let header = try MQTTFixedHeader.peek(in: buffer, limits: limits) else { return nil }
        guard var body = buffer.getSlice(at: buffer.readerIndex + header.byteCount, length: header.remainingLength)
        else { return nil }

        let packet = try Self.decodeBody(&body, header: header, limits: limits)
        guard body.readableBytes == 0 else {
            throw .malformedPacket("\(header.type.name) has \(body.readableBytes) unexpected trailing bytes")
        }
        buffer.moveReaderIndex(forwardBy: header.packetLength)
        return packet
    }

    private static func decodeBody(
        _ body: inout ByteBuffer,
        header: MQTTFixedHeader,
        limits: MQTTCodecLimits
    ) throws(MQTTCodecError) -> MQTTPacket {
        switch header.type {
        case .connect:
            return .connect(try MQTTConnect.decodeBody(&body, limits: limits))
        case .connAck:
            return .connAck(try MQTTConnAck.decodeBody(&body))
        case .publish:
            return .publish(try MQTTPublish.decodeBody(&body, flags: header.flags, limits: limits))
        case .pubAck:
            return .pubAck(packetIdentifier: try body.readMQTTUInt16("the PUBACK packet identifier"))
        case .pubRec:
            return .pubRec(packetIdentifier: try body.readMQTTUInt16("the PUBREC packet identifier"))
        case .pubRel:
            return .pubRel(packetIdentifier: try body.readMQTTUInt16("the PUBREL packet identifier"))
        case .pubComp:
            return .pubComp(packetIdentifier: try body.readMQTTUInt16("the PUBCOMP packet identifier"))
        case .subscribe:
            return .subscribe(try MQTTSubscribe.decodeBody(&body, limits: limits))
        case .subAck:
            return .subAck(try MQTTSubAck.decodeBody(&body))
        case .unsubscribe:
            return .unsubscribe(try MQTTUnsubscribe.decodeBody(&body, limits: limits))
        case .unsubAck:
            return .unsubAck(packetIdentifier: try body.readMQTTUInt16("the UNSUBACK packet identifier"))
        case .pingReq:
            return .pingReq
        case .pingResp:
            return .pingResp
        case .disconnect:
            return .disconnect
        }
    }
}

extension MQTTConnAck {
    static func decodeBody(_ body: inout ByteBuffer) throws(MQTTCodecError) -> MQTTConnAck {
        let flags = try body.readMQTTByte("the CONNACK flags")
        let rawCode = try body.readMQTTByte("the CONNACK return code")
        guard flags & 0b1111_1110 == 0 else {
            throw .invalidFlags("CONNACK reserved flag bits are set (\(flags))")
        }
        guard let returnCode = MQTTConnectReturnCode(rawValue: rawCode) else {
            throw .malformedPacket("CONNACK return code \(rawCode) is reserved")
        }
        let sessionPresent = flags == 1
        if sessionPresent && returnCode != .accepted {
            throw .protocolViolation("CONNACK refuses the connection but sets session present")
        }
        return MQTTConnAck(sessionPresent: sessionPresent, returnCode: returnCode)
    }
}

extension MQTTPublish {
    static func decodeBody(
        _ body: inout ByteBuffer,
        flags: UInt8,
        limits: MQTTCodecLimits
    ) throws(MQTTCodecError) -> MQTTPublish {
        // The fixed header already rejected QoS 3 and DUP on QoS 0.
        let qos = MQTTQoS(rawValue: (flags >> 1) & 0b11) ?? .atMostOnce
        let topic = try body.readMQTTTopicName("the PUBLISH topic", limits: limits)
        let identifier: UInt16? = qos == .atMostOnce ? nil : try body.readMQTTPacketIdentifier(in: .publish)
        let payload = body.readSlice(length: body.readableBytes) ?? ByteBuffer()
        return MQTTPublish(
            topic: topic,
            payload: payload,
            qos: qos,
            retain: flags & 0b0001 != 0,
            duplicate: flags & 0b1000 != 0,
            packetIdentifier: identifier
        )
    }
}

extension MQTTSubscribe {
    static func decodeBody(_ body: inout ByteBuffer, limits: MQTTCodecLimits) throws(MQTTCodecError) -> MQTTSubscribe {
        let identifier = try body.readMQTTPacketIdentifier(in: .subscribe)
        var subscriptions: [MQTTSubscription] = []
        while body.readableBytes > 0 {
            let filter = try body.readMQTTString("a SUBSCRIBE topic filter", maximumLength: limits.maximumTopicLength)
            let options = try body.readMQTTByte("a SUBSCRIBE requested QoS")
            guard options & 0b1111_1100 == 0 else {
                throw .invalidFlags("SUBSCRIBE requested-QoS reserved bits are set (\(options))")
            }
            guard let qos = MQTTQoS(rawValue: options) else {
                throw .invalidQoS("SUBSCRIBE requests QoS \(options)")
            }
            subscriptions.append(MQTTSubscription(topicFilter: filter, qos: qos))
        }
        guard !subscriptions.isEmpty else {
            throw .malformedPacket("SUBSCRIBE has no topic filters")
        }
        return MQTTSubscribe(packetIdentifier: identifier, subscriptions: subscriptions)
    }
}

extension MQTTSubAck {
    static func decodeBody(_ body: inout ByteBuffer) throws(MQTTCodecError) -> MQTTSubAck {
        let identifier = try body.readMQTTUInt16("the SUBACK packet identifier")
        var returnCodes: [MQTTSubAckReturnCode] = []
        returnCodes.reserveCapacity(body.readableBytes)  // bytes already received, not a claimed length
        while let raw = body.readInteger(as: UInt8.self) {
            guard let returnCode = MQTTSubAckReturnCode(rawValue: raw) else {
                throw .malformedPacket("SUBACK return code \(raw) is reserved")
            }
            returnCodes.append(returnCode)
        }
        guard !returnCodes.isEmpty else {
            throw .malformedPacket("SUBACK has no return codes")
        }
        return MQTTSubAck(packetIdentifier: identifier, returnCodes: returnCodes)
    }
}

extension MQTTUnsubscribe {
    static func decodeBody(_ body: inout ByteBuffer, limits: MQTTCodecLimits) throws(MQTTCodecError) -> MQTTUnsubscribe {
        let identifier = try body.readMQTTPacketIdentifier(in: .unsubscribe)
        var filters: [String] = []
        while body.readableBytes > 0 {
            filters.append(try body.readMQTTString("an UNSUBSCRIBE topic filter", maximumLength: limits.maximumTopicLength))
        }
        guard !filters.isEmpty else {
            throw .malformedPacket("UNSUBSCRIBE has no topic filters")
        }
        return MQTTUnsubscribe(packetIdentifier: identifier, topicFilters: filters)
    }
}
