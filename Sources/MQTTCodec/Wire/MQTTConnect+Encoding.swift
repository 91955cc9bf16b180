import NIOCore

extension MQTTConnect {
    /// The CONNECT flags byte (spec section 3.1.2.3).
    var connectFlags: UInt8 {
        var flags: UInt8 = 0
        if self.cleanSession { flags |= 0b0000_0010 }
        if let will = self.will {
            flags |= 0b0000_0100
            flags |= will.qos.rawValue << 3
            if will.retain { flags |= 0b0010_0000 }
        }
        if self.password != nil { flags |= 0b0100_0000 }
        if self.username != nil { flags |= 0b1000_0000 }
        return flags
    }

    /// The size of the variable header and payload, checking every field fits.
    func encodedBodySize() throws(MQTTCodecError) -> Int {
        if self.password != nil && self.username == nil {
            throw .invalidFlags("CONNECT has a password without a user name")
        }
        var size = try MQTTFieldSize.string(self.protocolName, "CONNECT protocol name") + 1 + 1 + 2
        size += try MQTTFieldSize.string(self.clientIdentifier, "CONNECT client identifier")
        if let will = self.will {
            size += try MQTTFieldSize.string(will.topic, "CONNECT will topic")
            size += try MQTTFieldSize.binary(will.payload.readableBytes, "CONNECT will message")
        }
        if let username = self.username {
            size += try MQTTFieldSize.string(username, "CONNECT user name")
        }
        if let password = self.password {
            size += try MQTTFieldSize.binary(password.count, "CONNECT password")
        }
        return size
    }

    /// Writes the variable header and payload; always in the 3.1.1 layout, whatever the level.
    func writeBody(into buffer: inout ByteBuffer) {
        buffer.writeMQTTString(self.protocolName)
        buffer.writeInteger(self.protocolLevel)
        buffer.writeInteger(self.connectFlags)
        buffer.writeMQTTUInt16(self.keepAliveSeconds)
        buffer.writeMQTTString(self.clientIdentifier)
        if let will = self.will {
            buffer.writeMQTTString(will.topic)
            buffer.writeMQTTBinary(will.payload)
        }
        if let username = self.username {
            buffer.writeMQTTString(username)
        }
        if let password = self.password {
            buffer.writeMQTTBinary(password)
        }
    }
}
