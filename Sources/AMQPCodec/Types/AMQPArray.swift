/// An AMQP array: elements of one type sharing one constructor (`sasl-mechanisms`, capabilities, `partition_ids`).
public struct AMQPArray: Sendable, Hashable {
    /// The elements' type code (e.g. `AMQPTypeCode.symbol32`); for described elements, the code of the described value.
    public var elementCode: UInt8
    /// The descriptor shared by every element, when the elements are described.
    public var descriptor: AMQPValue?
    /// The elements, without their descriptor.
    public var elements: [AMQPValue]

    /// Creates an array of `elements` encoded with `elementCode`.
    public init(elementCode: UInt8, descriptor: AMQPValue? = nil, elements: [AMQPValue]) {
        self.elementCode = elementCode
        self.descriptor = descriptor
        self.elements = elements
    }

    /// An array of symbols.
    public static func symbols(_ symbols: [AMQPSymbol]) -> AMQPArray {
        AMQPArray(elementCode: AMQPTypeCode.symbol32, elements: symbols.map(AMQPValue.symbol))
    }

    /// An array of strings.
    public static func strings(_ strings: [String]) -> AMQPArray {
        AMQPArray(elementCode: AMQPTypeCode.string32, elements: strings.map(AMQPValue.string))
    }
}
