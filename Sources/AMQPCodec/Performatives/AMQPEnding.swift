/// `end` (0x17) and `close` (0x18): a session or the connection ends, optionally with an error.
public struct AMQPEnding: Sendable, Hashable {
    public var error: AMQPError?

    /// Creates an end or close.
    public init(error: AMQPError? = nil) {
        self.error = error
    }

    init(_ name: String, fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList(name, value)
        error = fields[0].isNull ? nil : try AMQPError(described: fields[0])
    }

    /// The 1 field.
    var fields: [AMQPValue] { [error?.described ?? .null] }
}
