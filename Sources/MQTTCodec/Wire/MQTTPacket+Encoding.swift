import NIOCore

extension MQTTPacket {
    /// Appends the packet's wire form to `buffer`; traps if the packet cannot be represented (see ``checkedEncode(into:)``).
    public func encode(into buffer: inout ByteBuffer) {
        do {
            try self.checkedEncode(into: &buffer)
        } catch {
            preconditionFailure("cannot encode MQTT packet: \(error)")
        }
    }

    /// Appends the packet's wire form to `buffer`, or throws `unencodable`/`invalidFlags` and leaves it unchanged.
    ///
    /// A packet cannot be represented when a string or binary field exceeds 65,535 bytes, the
    /// packet exceeds 268,435,455 bytes, a QoS 1/2 PUBLISH has no packet identifier, a
    /// SUBSCRIBE/SUBACK/UNSUBSCRIBE is empty, or a CONNECT has a password without a user name.
    public func checkedEncode(into buffer: inout ByteBuffer) throws(MQTTCodecError) {
        let remainingLength = try self.remainingLength()
        guard remainingLength <= MQTTRemainingLength.maximum else {
            throw .unencodable("packet body is \(remainingLength) bytes, the wire allows \(MQTTRemainingLength.maximum)")
        }
        buffer.reserveCapacity(
            minimumWritableBytes: 1 + MQTTRemainingLength.byteCount(of: remainingLength) + remainingLength
        )
        buffer.writeInteger(self.packetType.rawValue << 4 | self.fixedHeaderFlags)
        MQTTRemainingLength.write(remainingLength, into: &buffer)
        self.writeBody(into: &buffer)
    }

    /// The number of bytes ``encode(into:)`` appends.
    public func encodedSize() throws(MQTTCodecError) -> Int {
        let remainingLength = try self.remainingLength()
        return 1 + MQTTRemainingLength.byteCount(of: remainingLength) + remainingLength
    }

    var packetType: MQTTPacketType {
        switch self {
        case .connect: .connect
        case .connAck: .connAck
        case .publish: .publish
        case .pubAck: .pubAck
        case .pubRec: .pubRec
        case .pubRel: .pubRel
        case .pubComp: .pubComp
        case .subscribe: .subscribe
        case .subAck: .subAck
        case .unsubscribe: .unsubscribe
        case .unsubAck: .unsubAck
        case .pingReq: .pingReq
        case .pingResp: .pingResp
        case .disconnect: .disconnect
        }
    }

    private var fixedHeaderFlags: UInt8 {
        guard case .publish(let publish) = self else {
            return self.packetType.requiredFlags ?? 0
        }
        var flags = publish.qos.rawValue << 1
        if publish.duplicate { flags |= 0b1000 }
        if publish.retain { flags |= 0b0001 }
        return flags
    }

    /// Sizes the body and checks every field fits, so writing never has to fail half-way.
    private func remainingLength() throws(MQTTCodecError) -> Int {
        switch self {
        case .connect(let connect):
            return try connect.encodedBodySize()
        case .connAck, .pubAck, .pubRec, .pubRel, .pubComp, .unsubAck:
            return 2
        case .publish(let publish):
            var size = try MQTTFieldSize.string(publish.topic, "PUBLISH topic")
            if publish.qos != .atMostOnce {
                guard publish.packetIdentifier != nil else {
                    throw .unencodable("QoS \(publish.qos.rawValue) PUBLISH has no packet identifier")
                }
                size += 2
            }
            return size + publish.payload.readableBytes
        case .subscribe(let subscribe):
            guard !subscribe.subscriptions.isEmpty else { throw .unencodable("SUBSCRIBE has no subscriptions") }
            var size = 2
            for subscription in subscribe.subscriptions {
                size += try MQTTFieldSize.string(subscription.topicFilter, "SUBSCRIBE topic filter") + 1
            }
            return size
        case .subAck(let subAck):
            guard !subAck.returnCodes.isEmpty else { throw .unencodable("SUBACK has no return codes") }
            return 2 + subAck.returnCodes.count
        case .unsubscribe(let unsubscribe):
            guard !unsubscribe.topicFilters.isEmpty else { throw .unencodable("UNSUBSCRIBE has no topic filters") }
            var size = 2
            for filter in unsubscribe.topicFilters {
                size += try MQTTFieldSize.string(filter, "UNSUBSCRIBE topic filter")
            }
            return size
        case .pingReq, .pingResp, .disconnect:
            return 0
        }
    }

    private func writeBody(into buffer: inout ByteBuffer) {
        switch self {
        case .connect(let connect):
            connect.writeBody(into: &buffer)
        case .connAck(let connAck):
            buffer.writeInteger(connAck.sessionPresent ? UInt8(1) : 0)
            buffer.writeInteger(connAck.returnCode.rawValue)
        case .publish(let publish):
            buffer.writeMQTTString(publish.topic)
            if publish.qos != .atMostOnce, let identifier = publish.packetIdentifier {
                buffer.writeMQTTUInt16(identifier)
            }
            buffer.writeImmutableBuffer(publish.payload)
        case .pubAck(let identifier), .pubRec(let identifier), .pubRel(let identifier),
            .pubComp(let identifier), .unsubAck(let identifier):
            buffer.writeMQTTUInt16(identifier)
        case .subscribe(let subscribe):
            buffer.writeMQTTUInt16(subscribe.packetIdentifier)
            for subscription in subscribe.subscriptions {
                buffer.writeMQTTString(subscription.topicFilter)
                buffer.writeInteger(subscription.qos.rawValue)
            }
        case .subAck(let subAck):
            buffer.writeMQTTUInt16(subAck.packetIdentifier)
            for returnCode in subAck.returnCodes {
                buffer.writeInteger(returnCode.rawValue)
            }
        case .unsubscribe(let unsubscribe):
            buffer.writeMQTTUInt16(unsubscribe.packetIdentifier)
            for filter in unsubscribe.topicFilters {
                buffer.writeMQTTString(filter)
            }
        case .pingReq, .pingResp, .disconnect:
            break
        }
    }
}
