/// `detach` (0x16): a link ends (closed) or is suspended, optionally with an error.
public struct AMQPDetach: Sendable, Hashable {
    static let descriptor: UInt64 = 0x16

    public var handle: UInt32
    public var closed: Bool?
    public var error: AMQPError?

    /// Creates a detach.
    public init(handle: UInt32, closed: Bool? = true, error: AMQPError? = nil) {
        self.handle = handle
        self.closed = closed
        self.error = error
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("detach", value)
        handle = try fields.required(0, "handle") { $0.uint32 }
        closed = try fields.bool(1, "closed")
        error = fields[2].isNull ? nil : try AMQPError(described: fields[2])
    }

    /// All 3 fields.
    var fields: [AMQPValue] { [.uint(handle), closed.amqp, error?.described ?? .null] }
}
