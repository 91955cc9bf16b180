/// `flow` (0x13): session windows and, with a handle, link credit.
public struct AMQPFlow: Sendable, Hashable {
    static let descriptor: UInt64 = 0x13

    public var nextIncomingId: UInt32?
    public var incomingWindow: UInt32
    public var nextOutgoingId: UInt32
    public var outgoingWindow: UInt32
    public var handle: UInt32?
    public var deliveryCount: UInt32?
    public var linkCredit: UInt32?
    public var available: UInt32?
    public var drain: Bool?
    public var echo: Bool?
    public var properties: AMQPMap?

    /// Creates a flow.
    public init(nextIncomingId: UInt32?, incomingWindow: UInt32, nextOutgoingId: UInt32, outgoingWindow: UInt32,
                handle: UInt32? = nil, deliveryCount: UInt32? = nil, linkCredit: UInt32? = nil, available: UInt32? = nil,
                drain: Bool? = nil, echo: Bool? = nil) {
        self.nextIncomingId = nextIncomingId
        self.incomingWindow = incomingWindow
        self.nextOutgoingId = nextOutgoingId
        self.outgoingWindow = outgoingWindow
        self.handle = handle
        self.deliveryCount = deliveryCount
        self.linkCredit = linkCredit
        self.available = available
        self.drain = drain
        self.echo = echo
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("flow", value)
        nextIncomingId = try fields.uint(0, "next-incoming-id")
        incomingWindow = try fields.required(1, "incoming-window") { $0.uint32 }
        nextOutgoingId = try fields.required(2, "next-outgoing-id") { $0.uint32 }
        outgoingWindow = try fields.required(3, "outgoing-window") { $0.uint32 }
        handle = try fields.uint(4, "handle")
        deliveryCount = try fields.uint(5, "delivery-count")
        linkCredit = try fields.uint(6, "link-credit")
        available = try fields.uint(7, "available")
        drain = try fields.bool(8, "drain")
        echo = try fields.bool(9, "echo")
        properties = try fields.map(10, "properties")
    }

    /// All 11 fields.
    var fields: [AMQPValue] {
        [nextIncomingId.amqp, .uint(incomingWindow), .uint(nextOutgoingId), .uint(outgoingWindow), handle.amqp, deliveryCount.amqp,
         linkCredit.amqp, available.amqp, drain.amqp, echo.amqp, properties.amqp]
    }
}
