/// `disposition` (0x15): the state of a range of deliveries.
public struct AMQPDisposition: Sendable, Hashable {
    static let descriptor: UInt64 = 0x15

    public var role: AMQPAttach.Role
    public var first: UInt32
    public var last: UInt32?
    public var settled: Bool?
    public var state: AMQPDeliveryState?
    public var batchable: Bool?

    /// Creates a disposition.
    public init(role: AMQPAttach.Role, first: UInt32, last: UInt32? = nil, settled: Bool? = nil, state: AMQPDeliveryState? = nil) {
        self.role = role
        self.first = first
        self.last = last
        self.settled = settled
        self.state = state
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("disposition", value)
        role = try fields.required(0, "role") { $0.bool } ? .receiver : .sender
        first = try fields.required(1, "first") { $0.uint32 }
        last = try fields.uint(2, "last")
        settled = try fields.bool(3, "settled")
        state = fields[4].isNull ? nil : try AMQPDeliveryState(described: fields[4])
        batchable = try fields.bool(5, "batchable")
    }

    /// All 6 fields.
    var fields: [AMQPValue] {
        [role.amqp, .uint(first), last.amqp, settled.amqp, state?.described ?? .null, batchable.amqp]
    }
}
