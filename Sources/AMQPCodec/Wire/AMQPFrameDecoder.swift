import NIOCore

/// Reads protocol headers and frames (OASIS part 2, 2.3). A header may come wherever a frame could (the client's
/// first bytes, and again after SASL); a frame larger than `limits.maximumFrameSize`, smaller than its own header or
/// with a body that is not a performative is an `AMQPCodecError`, after which the connection must close.
public struct AMQPFrameDecoder: NIOSingleStepByteToMessageDecoder {
    public typealias InboundOut = AMQPInbound

    /// The bounds in force.
    public let limits: AMQPCodecLimits
    private let reader: AMQPValueReader

    /// Creates a decoder.
    public init(limits: AMQPCodecLimits = AMQPCodecLimits()) {
        self.limits = limits
        reader = AMQPValueReader(limits: limits)
    }

    public mutating func decode(buffer: inout ByteBuffer) throws -> AMQPInbound? {
        try decodeNext(&buffer)
    }

    public mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> AMQPInbound? {
        try decodeNext(&buffer)
    }

    /// The next header or frame, nil while more bytes are needed.
    public func decodeNext(_ buffer: inout ByteBuffer) throws(AMQPCodecError) -> AMQPInbound? {
        if AMQPProtocolHeader.startsHeader(buffer) || (buffer.readableBytes < 4 && buffer.readableBytesView.elementsEqual(
            [0x41, 0x4D, 0x51, 0x50].prefix(buffer.readableBytes))) {
            return try AMQPProtocolHeader.read(from: &buffer).map(AMQPInbound.header)
        }
        guard let size: UInt32 = buffer.getInteger(at: buffer.readerIndex) else { return nil }
        guard size >= 8 else { throw AMQPCodecError(.malformed, "a frame declares \(size) bytes, less than its header") }
        guard let frameSize = Int(exactly: size), frameSize <= limits.maximumFrameSize else {
            throw AMQPCodecError(.limitExceeded, "a frame of \(size) bytes exceeds the maximum frame size \(limits.maximumFrameSize)")
        }
        guard buffer.readableBytes >= frameSize, var frame = buffer.readSlice(length: frameSize) else { return nil }
        frame.moveReaderIndex(forwardBy: 4)
        guard let dataOffset: UInt8 = frame.readInteger(), let type: UInt8 = frame.readInteger(),
              let channel: UInt16 = frame.readInteger() else {
            throw AMQPCodecError(.malformed, "a frame header is cut short")
        }
        let bodyStart = Int(dataOffset) * 4
        guard bodyStart >= 8, bodyStart <= frameSize else {
            throw AMQPCodecError(.malformed, "a frame's data offset \(dataOffset) is outside the frame")
        }
        frame.moveReaderIndex(forwardBy: bodyStart - 8)
        switch type {
        case 0:
            guard frame.readableBytes > 0 else { return .frame(.amqp(channel: channel, performative: nil, payload: ByteBuffer())) }
            let body = try readBody(&frame)
            let performative = try AMQPPerformative(described: body)
            return .frame(.amqp(channel: channel, performative: performative, payload: frame))
        case 1:
            let body = try readBody(&frame)
            guard frame.readableBytes == 0 else { throw AMQPCodecError(.malformed, "a SASL frame holds bytes after its body") }
            return .frame(.sasl(try AMQPSASLFrame(described: body)))
        default:
            throw AMQPCodecError(.malformed, "unknown frame type \(type)")
        }
    }

    private func readBody(_ frame: inout ByteBuffer) throws(AMQPCodecError) -> AMQPValue {
        do {
            return try reader.read(from: &frame)
        } catch where error.code == .truncated {
            throw AMQPCodecError(.malformed, "a frame body is cut short: \(error.message)")
        }
    }
}
