import NIOCore

/// The 8 bytes that open a connection or switch layers: `AMQP` then protocol id 0 (AMQP), 2 (TLS) or 3 (SASL) and
/// version 1.0.0.
public enum AMQPProtocolHeader: UInt8, Sendable, Hashable {
    case amqp = 0
    case tls = 2
    case sasl = 3

    /// The bytes.
    public var bytes: [UInt8] { [0x41, 0x4D, 0x51, 0x50, rawValue, 1, 0, 0] }

    /// Whether the next four readable bytes spell `AMQP` (a frame's size never does: it would exceed any frame limit).
    static func startsHeader(_ buffer: ByteBuffer) -> Bool {
        buffer.readableBytesView.prefix(4).elementsEqual([0x41, 0x4D, 0x51, 0x50])
    }

    /// Reads a header; nil until 8 bytes are there; a header of another protocol or version is an error.
    static func read(from buffer: inout ByteBuffer) throws(AMQPCodecError) -> AMQPProtocolHeader? {
        guard buffer.readableBytes >= 8, let bytes = buffer.getBytes(at: buffer.readerIndex, length: 8) else { return nil }
        guard bytes[0..<4].elementsEqual([0x41, 0x4D, 0x51, 0x50]), let header = AMQPProtocolHeader(rawValue: bytes[4]),
              bytes[5] == 1, bytes[6] == 0, bytes[7] == 0 else {
            throw AMQPCodecError(.unsupportedProtocol, "not an AMQP 1.0 protocol header")
        }
        buffer.moveReaderIndex(forwardBy: 8)
        return header
    }
}
