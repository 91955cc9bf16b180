import Foundation
import NIOCore

/// Reads AMQP values from a buffer within `AMQPCodecLimits`: every declared size is checked against the bytes
/// actually there before anything is allocated, nesting is bounded, and every failure is a typed error.
public struct AMQPValueReader {
    /// The bounds in force.
    public let limits: AMQPCodecLimits

    /// Creates a reader.
    public init(limits: AMQPCodecLimits = AMQPCodecLimits()) {
        self.limits = limits
    }

    /// Reads one value; on failure the buffer's reader index is where it was.
    public func read(from buffer: inout ByteBuffer) throws(AMQPCodecError) -> AMQPValue {
        let start = buffer.readerIndex
        do {
            return try readValue(&buffer, depth: 0)
        } catch {
            buffer.moveReaderIndex(to: start)
            throw error
        }
    }

    private func readValue(_ buffer: inout ByteBuffer, depth: Int) throws(AMQPCodecError) -> AMQPValue {
        guard let code: UInt8 = buffer.readInteger() else { throw AMQPCodecError(.truncated, "a value is cut short") }
        return try readValue(code: code, &buffer, depth: depth)
    }

    private func readValue(code: UInt8, _ buffer: inout ByteBuffer, depth: Int) throws(AMQPCodecError) -> AMQPValue {
        switch code {
        case AMQPTypeCode.described:
            try checkDepth(depth)
            let descriptor = try readValue(&buffer, depth: depth + 1)
            let value = try readValue(&buffer, depth: depth + 1)
            return .described(descriptor: descriptor, value: value)
        case AMQPTypeCode.null: return .null
        case AMQPTypeCode.boolTrue: return .bool(true)
        case AMQPTypeCode.boolFalse: return .bool(false)
        case AMQPTypeCode.bool:
            let byte: UInt8 = try integer(&buffer)
            guard byte <= 1 else { throw .malformed("a boolean byte must be 0 or 1") }
            return .bool(byte == 1)
        case AMQPTypeCode.ubyte: return .ubyte(try integer(&buffer))
        case AMQPTypeCode.ushort: return .ushort(try integer(&buffer))
        case AMQPTypeCode.uint: return .uint(try integer(&buffer))
        case AMQPTypeCode.smallUint: return .uint(UInt32(try integer(&buffer) as UInt8))
        case AMQPTypeCode.uint0: return .uint(0)
        case AMQPTypeCode.ulong: return .ulong(try integer(&buffer))
        case AMQPTypeCode.smallUlong: return .ulong(UInt64(try integer(&buffer) as UInt8))
        case AMQPTypeCode.ulong0: return .ulong(0)
        case AMQPTypeCode.byte: return .byte(try integer(&buffer))
        case AMQPTypeCode.short: return .short(try integer(&buffer))
        case AMQPTypeCode.int: return .int(try integer(&buffer))
        case AMQPTypeCode.smallInt: return .int(Int32(try integer(&buffer) as Int8))
        case AMQPTypeCode.long: return .long(try integer(&buffer))
        case AMQPTypeCode.smallLong: return .long(Int64(try integer(&buffer) as Int8))
        case AMQPTypeCode.float: return .float(Float(bitPattern: try integer(&buffer)))
        case AMQPTypeCode.double: return .double(Double(bitPattern: try integer(&buffer)))
        case AMQPTypeCode.decimal32: return .decimal32(try integer(&buffer))
        case AMQPTypeCode.decimal64: return .decimal64(try integer(&buffer))
        case AMQPTypeCode.decimal128: return .decimal128(try bytes(&buffer, count: 16))
        case AMQPTypeCode.char:
            guard let scalar = Unicode.Scalar(try integer(&buffer) as UInt32) else { throw .malformed("a char is not a Unicode scalar") }
            return .char(scalar)
        case AMQPTypeCode.timestamp: return .timestamp(try integer(&buffer))
        case AMQPTypeCode.uuid:
            let raw = try bytes(&buffer, count: 16)
            return .uuid(UUID(uuid: (raw[0], raw[1], raw[2], raw[3], raw[4], raw[5], raw[6], raw[7],
                                     raw[8], raw[9], raw[10], raw[11], raw[12], raw[13], raw[14], raw[15])))
        case AMQPTypeCode.binary8: return .binary(try bytes(&buffer, count: Int(try integer(&buffer) as UInt8)))
        case AMQPTypeCode.binary32: return .binary(try bytes(&buffer, count: try length32(&buffer)))
        case AMQPTypeCode.string8: return .string(try utf8(&buffer, count: Int(try integer(&buffer) as UInt8)))
        case AMQPTypeCode.string32: return .string(try utf8(&buffer, count: try length32(&buffer)))
        case AMQPTypeCode.symbol8: return .symbol(AMQPSymbol(try utf8(&buffer, count: Int(try integer(&buffer) as UInt8))))
        case AMQPTypeCode.symbol32: return .symbol(AMQPSymbol(try utf8(&buffer, count: try length32(&buffer))))
        case AMQPTypeCode.list0: return .list([])
        case AMQPTypeCode.list8, AMQPTypeCode.list32:
            var body = try compoundBody(&buffer, wide: code == AMQPTypeCode.list32)
            try checkDepth(depth)
            var elements: [AMQPValue] = []
            elements.reserveCapacity(body.count)
            for _ in 0..<body.count { elements.append(try readValue(&body.bytes, depth: depth + 1)) }
            try requireConsumed(body.bytes, "list")
            return .list(elements)
        case AMQPTypeCode.map8, AMQPTypeCode.map32:
            var body = try compoundBody(&buffer, wide: code == AMQPTypeCode.map32)
            try checkDepth(depth)
            guard body.count % 2 == 0 else { throw .malformed("a map has an odd number of elements") }
            var entries: [AMQPMap.Entry] = []
            entries.reserveCapacity(body.count / 2)
            for _ in 0..<(body.count / 2) {
                let key = try readValue(&body.bytes, depth: depth + 1)
                let value = try readValue(&body.bytes, depth: depth + 1)
                entries.append(AMQPMap.Entry(key: key, value: value))
            }
            try requireConsumed(body.bytes, "map")
            return .map(AMQPMap(entries))
        case AMQPTypeCode.array8, AMQPTypeCode.array32:
            var body = try compoundBody(&buffer, wide: code == AMQPTypeCode.array32)
            try checkDepth(depth)
            guard var elementCode: UInt8 = body.bytes.readInteger() else { throw .malformed("an array has no element constructor") }
            var descriptor: AMQPValue?
            if elementCode == AMQPTypeCode.described {
                descriptor = try readValue(&body.bytes, depth: depth + 1)
                guard let described: UInt8 = body.bytes.readInteger() else { throw .malformed("an array has no element constructor") }
                elementCode = described
            }
            guard elementCode != AMQPTypeCode.described else { throw .malformed("an array element constructor is nested") }
            var elements: [AMQPValue] = []
            elements.reserveCapacity(min(body.count, 1024))
            for _ in 0..<body.count { elements.append(try readValue(code: elementCode, &body.bytes, depth: depth + 1)) }
            try requireConsumed(body.bytes, "array")
            return .array(AMQPArray(elementCode: elementCode, descriptor: descriptor, elements: elements))
        default:
            throw .malformed("unknown type constructor 0x\(String(code, radix: 16))")
        }
    }

    private func checkDepth(_ depth: Int) throws(AMQPCodecError) {
        guard depth < limits.maximumNestingDepth else {
            throw AMQPCodecError(.limitExceeded, "values nest deeper than \(limits.maximumNestingDepth)")
        }
    }

    private func integer<T: FixedWidthInteger>(_ buffer: inout ByteBuffer) throws(AMQPCodecError) -> T {
        guard let value: T = buffer.readInteger() else { throw AMQPCodecError(.truncated, "a value is cut short") }
        return value
    }

    private func length32(_ buffer: inout ByteBuffer) throws(AMQPCodecError) -> Int {
        let length: UInt32 = try integer(&buffer)
        guard let count = Int(exactly: length), count <= buffer.readableBytes else {
            throw AMQPCodecError(.truncated, "a value declares more bytes than the frame holds")
        }
        return count
    }

    private func bytes(_ buffer: inout ByteBuffer, count: Int) throws(AMQPCodecError) -> [UInt8] {
        guard let bytes = buffer.readBytes(length: count) else { throw AMQPCodecError(.truncated, "a value is cut short") }
        return bytes
    }

    private func utf8(_ buffer: inout ByteBuffer, count: Int) throws(AMQPCodecError) -> String {
        guard let bytes = buffer.readBytes(length: count) else { throw AMQPCodecError(.truncated, "a value is cut short") }
        guard let text = String(validating: bytes, as: UTF8.self) else { throw .malformed("a string is not valid UTF-8") }
        return text
    }

    /// The size and count of a list, map or array and a slice holding exactly its elements.
    private func compoundBody(_ buffer: inout ByteBuffer, wide: Bool) throws(AMQPCodecError) -> (count: Int, bytes: ByteBuffer) {
        let size: Int
        let count: Int
        if wide {
            let declared: UInt32 = try integer(&buffer)
            guard declared >= 4, let bytes = Int(exactly: declared), bytes <= buffer.readableBytes else {
                throw AMQPCodecError(.truncated, "a compound value declares more bytes than the frame holds")
            }
            size = bytes - 4
            count = Int(try integer(&buffer) as UInt32)
        } else {
            let declared: UInt8 = try integer(&buffer)
            guard declared >= 1, Int(declared) <= buffer.readableBytes else {
                throw AMQPCodecError(.truncated, "a compound value declares more bytes than the frame holds")
            }
            size = Int(declared) - 1
            count = Int(try integer(&buffer) as UInt8)
        }
        guard count <= limits.maximumElementCount else {
            throw AMQPCodecError(.limitExceeded, "a compound value declares \(count) elements (at most \(limits.maximumElementCount))")
        }
        guard let slice = buffer.readSlice(length: size) else {
            throw AMQPCodecError(.truncated, "a compound value is cut short")
        }
        return (count, slice)
    }

    private func requireConsumed(_ bytes: ByteBuffer, _ what: String) throws(AMQPCodecError) {
        guard bytes.readableBytes == 0 else { throw .malformed("a \(what) holds bytes after its last element") }
    }
}
