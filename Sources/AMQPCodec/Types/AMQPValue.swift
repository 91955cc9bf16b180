import Foundation

/// Any AMQP 1.0 value (OASIS AMQP part 1): every primitive type, lists, maps, arrays and described values.
public indirect enum AMQPValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case ubyte(UInt8)
    case ushort(UInt16)
    case uint(UInt32)
    case ulong(UInt64)
    case byte(Int8)
    case short(Int16)
    case int(Int32)
    case long(Int64)
    case float(Float)
    case double(Double)
    /// IEEE 754 decimal32, as its raw bits.
    case decimal32(UInt32)
    /// IEEE 754 decimal64, as its raw bits.
    case decimal64(UInt64)
    /// IEEE 754 decimal128, as its 16 raw bytes.
    case decimal128([UInt8])
    case char(Unicode.Scalar)
    /// Milliseconds since the Unix epoch.
    case timestamp(Int64)
    case uuid(UUID)
    case binary([UInt8])
    case string(String)
    case symbol(AMQPSymbol)
    case list([AMQPValue])
    case map(AMQPMap)
    case array(AMQPArray)
    case described(descriptor: AMQPValue, value: AMQPValue)

    /// Whether this is `null`.
    public var isNull: Bool { self == .null }

    /// The text of a `string`.
    public var string: String? {
        if case .string(let value) = self { return value }
        return nil
    }

    /// The text of a `symbol`.
    public var symbol: AMQPSymbol? {
        if case .symbol(let value) = self { return value }
        return nil
    }

    /// The text of a `string` or `symbol`.
    public var text: String? {
        switch self {
        case .string(let value): value
        case .symbol(let value): value.rawValue
        default: nil
        }
    }

    /// A `bool`.
    public var bool: Bool? {
        if case .bool(let value) = self { return value }
        return nil
    }

    /// Any unsigned or non-negative signed integer, widened.
    public var unsignedInteger: UInt64? {
        switch self {
        case .ubyte(let value): UInt64(value)
        case .ushort(let value): UInt64(value)
        case .uint(let value): UInt64(value)
        case .ulong(let value): value
        case .byte(let value): value >= 0 ? UInt64(value) : nil
        case .short(let value): value >= 0 ? UInt64(value) : nil
        case .int(let value): value >= 0 ? UInt64(value) : nil
        case .long(let value): value >= 0 ? UInt64(value) : nil
        default: nil
        }
    }

    /// Any integer, widened to Int64 (a `ulong` above Int64.max is nil).
    public var signedInteger: Int64? {
        switch self {
        case .ubyte(let value): Int64(value)
        case .ushort(let value): Int64(value)
        case .uint(let value): Int64(value)
        case .ulong(let value): Int64(exactly: value)
        case .byte(let value): Int64(value)
        case .short(let value): Int64(value)
        case .int(let value): Int64(value)
        case .long(let value): value
        default: nil
        }
    }

    /// A `uint` (or smaller unsigned value) as UInt32.
    public var uint32: UInt32? { unsignedInteger.flatMap { UInt32(exactly: $0) } }

    /// The bytes of a `binary`.
    public var binary: [UInt8]? {
        if case .binary(let value) = self { return value }
        return nil
    }

    /// The elements of a `list`.
    public var list: [AMQPValue]? {
        if case .list(let value) = self { return value }
        return nil
    }

    /// A `map`.
    public var map: AMQPMap? {
        if case .map(let value) = self { return value }
        return nil
    }

    /// The milliseconds of a `timestamp`.
    public var timestamp: Int64? {
        if case .timestamp(let value) = self { return value }
        return nil
    }

    /// The elements of an `array`, or a single value as a one-element list (AMQP's "multiple" fields).
    public var multiple: [AMQPValue] {
        switch self {
        case .null: []
        case .array(let array): array.elements
        default: [self]
        }
    }

    /// The descriptor and value of a described value.
    public var described: (descriptor: AMQPValue, value: AMQPValue)? {
        if case .described(let descriptor, let value) = self { return (descriptor, value) }
        return nil
    }

    /// A described value's descriptor code when the descriptor is a `ulong`.
    public var descriptorCode: UInt64? {
        guard case .described(let descriptor, _) = self else { return nil }
        return descriptor.unsignedInteger
    }

    /// A `timestamp` for `date`.
    public static func timestamp(_ date: Date) -> AMQPValue {
        .timestamp(Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    /// A described list with a numeric descriptor (how performatives and sections are encoded).
    public static func describedList(_ code: UInt64, _ fields: [AMQPValue]) -> AMQPValue {
        .described(descriptor: .ulong(code), value: .list(fields))
    }
}

extension AMQPValue: ExpressibleByStringLiteral {
    /// A string literal is an AMQP `string`.
    public init(stringLiteral value: String) {
        self = .string(value)
    }
}
