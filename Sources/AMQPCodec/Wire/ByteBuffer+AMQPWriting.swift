import Foundation
import NIOCore

extension ByteBuffer {
    /// Writes `value` in its most compact fixed encoding; lists and maps use their 32-bit forms (sizes are back-filled),
    /// which every peer accepts and which costs no second pass.
    public mutating func writeAMQPValue(_ value: AMQPValue) {
        switch value {
        case .null: writeInteger(AMQPTypeCode.null)
        case .bool(let flag): writeInteger(flag ? AMQPTypeCode.boolTrue : AMQPTypeCode.boolFalse)
        case .ubyte(let number): writeInteger(AMQPTypeCode.ubyte); writeInteger(number)
        case .ushort(let number): writeInteger(AMQPTypeCode.ushort); writeInteger(number)
        case .uint(let number):
            if number == 0 {
                writeInteger(AMQPTypeCode.uint0)
            } else if number < 256 {
                writeInteger(AMQPTypeCode.smallUint); writeInteger(UInt8(number))
            } else {
                writeInteger(AMQPTypeCode.uint); writeInteger(number)
            }
        case .ulong(let number):
            if number == 0 {
                writeInteger(AMQPTypeCode.ulong0)
            } else if number < 256 {
                writeInteger(AMQPTypeCode.smallUlong); writeInteger(UInt8(number))
            } else {
                writeInteger(AMQPTypeCode.ulong); writeInteger(number)
            }
        case .byte(let number): writeInteger(AMQPTypeCode.byte); writeInteger(number)
        case .short(let number): writeInteger(AMQPTypeCode.short); writeInteger(number)
        case .int(let number):
            if (-128...127).contains(number) {
                writeInteger(AMQPTypeCode.smallInt); writeInteger(Int8(number))
            } else {
                writeInteger(AMQPTypeCode.int); writeInteger(number)
            }
        case .long(let number):
            if (-128...127).contains(number) {
                writeInteger(AMQPTypeCode.smallLong); writeInteger(Int8(number))
            } else {
                writeInteger(AMQPTypeCode.long); writeInteger(number)
            }
        case .float(let number): writeInteger(AMQPTypeCode.float); writeInteger(number.bitPattern)
        case .double(let number): writeInteger(AMQPTypeCode.double); writeInteger(number.bitPattern)
        case .decimal32(let bits): writeInteger(AMQPTypeCode.decimal32); writeInteger(bits)
        case .decimal64(let bits): writeInteger(AMQPTypeCode.decimal64); writeInteger(bits)
        case .decimal128(let bytes):
            writeInteger(AMQPTypeCode.decimal128)
            writeBytes(bytes.prefix(16))
            if bytes.count < 16 { writeRepeatingByte(0, count: 16 - bytes.count) }
        case .char(let scalar): writeInteger(AMQPTypeCode.char); writeInteger(scalar.value)
        case .timestamp(let milliseconds): writeInteger(AMQPTypeCode.timestamp); writeInteger(milliseconds)
        case .uuid(let uuid):
            writeInteger(AMQPTypeCode.uuid)
            withUnsafeBytes(of: uuid.uuid) { _ = writeBytes($0) }
        case .binary(let bytes): writeVariable(bytes, short: AMQPTypeCode.binary8, long: AMQPTypeCode.binary32)
        case .string(let text): writeVariable(Array(text.utf8), short: AMQPTypeCode.string8, long: AMQPTypeCode.string32)
        case .symbol(let symbol): writeVariable(Array(symbol.rawValue.utf8), short: AMQPTypeCode.symbol8, long: AMQPTypeCode.symbol32)
        case .list(let elements):
            guard !elements.isEmpty else {
                writeInteger(AMQPTypeCode.list0)
                return
            }
            writeInteger(AMQPTypeCode.list32)
            writeCompound(count: elements.count) { buffer in for element in elements { buffer.writeAMQPValue(element) } }
        case .map(let map):
            writeInteger(AMQPTypeCode.map32)
            writeCompound(count: map.count * 2) { buffer in
                for entry in map.entries {
                    buffer.writeAMQPValue(entry.key)
                    buffer.writeAMQPValue(entry.value)
                }
            }
        case .array(let array):
            writeInteger(AMQPTypeCode.array32)
            writeCompound(count: array.elements.count) { buffer in
                if let descriptor = array.descriptor {
                    buffer.writeInteger(AMQPTypeCode.described)
                    buffer.writeAMQPValue(descriptor)
                }
                buffer.writeInteger(array.elementCode)
                for element in array.elements { buffer.writeAMQPArrayElement(element, code: array.elementCode) }
            }
        case .described(let descriptor, let value):
            writeInteger(AMQPTypeCode.described)
            writeAMQPValue(descriptor)
            writeAMQPValue(value)
        }
    }

    /// `code`, a length and the bytes: the 8-bit length form when it fits.
    private mutating func writeVariable(_ bytes: [UInt8], short: UInt8, long: UInt8) {
        if bytes.count < 256 {
            writeInteger(short)
            writeInteger(UInt8(bytes.count))
        } else {
            writeInteger(long)
            writeInteger(UInt32(truncatingIfNeeded: bytes.count))
        }
        writeBytes(bytes)
    }

    /// A 32-bit size (back-filled: the bytes after it), a 32-bit count and what `body` writes.
    private mutating func writeCompound(count: Int, _ body: (inout ByteBuffer) -> Void) {
        let sizeIndex = writerIndex
        writeInteger(UInt32(0))
        writeInteger(UInt32(truncatingIfNeeded: count))
        body(&self)
        setInteger(UInt32(truncatingIfNeeded: writerIndex - sizeIndex - 4), at: sizeIndex)
    }

    /// One array element without its constructor, in the array's element encoding.
    private mutating func writeAMQPArrayElement(_ value: AMQPValue, code: UInt8) {
        var single = ByteBuffer()
        single.writeAMQPValue(value)
        // Re-encode in the array's (wide) element form: arrays only allow one constructor for all elements.
        switch (code, value) {
        case (AMQPTypeCode.symbol32, .symbol(let symbol)):
            let bytes = Array(symbol.rawValue.utf8)
            writeInteger(UInt32(truncatingIfNeeded: bytes.count)); writeBytes(bytes)
        case (AMQPTypeCode.string32, .string(let text)):
            let bytes = Array(text.utf8)
            writeInteger(UInt32(truncatingIfNeeded: bytes.count)); writeBytes(bytes)
        case (AMQPTypeCode.binary32, .binary(let bytes)):
            writeInteger(UInt32(truncatingIfNeeded: bytes.count)); writeBytes(bytes)
        case (AMQPTypeCode.ulong, .ulong(let number)): writeInteger(number)
        case (AMQPTypeCode.long, .long(let number)): writeInteger(number)
        case (AMQPTypeCode.uint, .uint(let number)): writeInteger(number)
        case (AMQPTypeCode.int, .int(let number)): writeInteger(number)
        case (AMQPTypeCode.ushort, .ushort(let number)): writeInteger(number)
        case (AMQPTypeCode.ubyte, .ubyte(let number)): writeInteger(number)
        case (AMQPTypeCode.timestamp, .timestamp(let number)): writeInteger(number)
        case (AMQPTypeCode.bool, .bool(let flag)): writeInteger(UInt8(flag ? 1 : 0))
        case (AMQPTypeCode.uuid, .uuid):
            writeBytes(single.readableBytesView.dropFirst())
        default:
            // Compound elements (list32/map32) and the rest: the value's own encoding without its constructor byte.
            writeBytes(single.readableBytesView.dropFirst())
        }
    }
}
