/// An AMQP symbol: ASCII text naming something (descriptors, error conditions, annotation keys, capabilities).
public struct AMQPSymbol: Sendable, Hashable, ExpressibleByStringLiteral, CustomStringConvertible {
    /// The text.
    public var rawValue: String

    /// Creates a symbol.
    public init(_ rawValue: String) {
        self.rawValue = rawValue
    }

    /// Creates a symbol from a literal.
    public init(stringLiteral value: String) {
        self.rawValue = value
    }

    /// The text.
    public var description: String { rawValue }
}
