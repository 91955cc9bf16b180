import NIOCore

/// Writes protocol headers and frames. Performatives always carry all their fields.
public struct AMQPFrameEncoder: MessageToByteEncoder {
    public typealias OutboundIn = AMQPOutbound

    /// Creates an encoder.
    public init() {}

    public func encode(data: AMQPOutbound, out: inout ByteBuffer) throws {
        switch data {
        case .header(let header): out.writeBytes(header.bytes)
        case .frame(let frame): out.writeAMQPFrame(frame)
        }
    }
}

extension ByteBuffer {
    /// Appends one frame: size, data offset 2, type, channel, the body and (for transfers) the payload.
    public mutating func writeAMQPFrame(_ frame: AMQPFrame) {
        let start = writerIndex
        writeInteger(UInt32(0))
        writeInteger(UInt8(2))
        switch frame {
        case .amqp(let channel, let performative, var payload):
            writeInteger(UInt8(0))
            writeInteger(channel)
            if let performative { writeAMQPValue(performative.described) }
            writeBuffer(&payload)
        case .sasl(let body):
            writeInteger(UInt8(1))
            writeInteger(UInt16(0))
            writeAMQPValue(body.described)
        }
        setInteger(UInt32(truncatingIfNeeded: writerIndex - start), at: start)
    }
}
