/// The `header` section (0x70): delivery details.
public struct AMQPMessageHeader: Sendable, Hashable {
    public var durable: Bool?
    public var priority: UInt8?
    /// Milliseconds.
    public var ttl: UInt32?
    public var firstAcquirer: Bool?
    public var deliveryCount: UInt32?

    /// Creates a header.
    public init(durable: Bool? = nil, priority: UInt8? = nil, ttl: UInt32? = nil, firstAcquirer: Bool? = nil, deliveryCount: UInt32? = nil) {
        self.durable = durable
        self.priority = priority
        self.ttl = ttl
        self.firstAcquirer = firstAcquirer
        self.deliveryCount = deliveryCount
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("header", value)
        durable = try fields.bool(0, "durable")
        priority = try fields.ubyte(1, "priority")
        ttl = try fields.uint(2, "ttl")
        firstAcquirer = try fields.bool(3, "first-acquirer")
        deliveryCount = try fields.uint(4, "delivery-count")
    }

    var fields: [AMQPValue] { [durable.amqp, priority.amqp, ttl.amqp, firstAcquirer.amqp, deliveryCount.amqp] }
}
