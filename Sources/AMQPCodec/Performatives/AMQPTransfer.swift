/// `transfer` (0x14): (part of) a delivery on a link; the message bytes follow the performative in the frame.
public struct AMQPTransfer: Sendable, Hashable {
    static let descriptor: UInt64 = 0x14

    public var handle: UInt32
    public var deliveryId: UInt32?
    public var deliveryTag: [UInt8]?
    public var messageFormat: UInt32?
    public var settled: Bool?
    public var more: Bool?
    public var receiverSettleMode: AMQPAttach.ReceiverSettleMode?
    public var state: AMQPDeliveryState?
    public var resume: Bool?
    public var aborted: Bool?
    public var batchable: Bool?

    /// Creates a transfer.
    public init(handle: UInt32, deliveryId: UInt32? = nil, deliveryTag: [UInt8]? = nil, messageFormat: UInt32? = nil,
                settled: Bool? = nil, more: Bool? = nil, state: AMQPDeliveryState? = nil) {
        self.handle = handle
        self.deliveryId = deliveryId
        self.deliveryTag = deliveryTag
        self.messageFormat = messageFormat
        self.settled = settled
        self.more = more
        self.state = state
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("transfer", value)
        handle = try fields.required(0, "handle") { $0.uint32 }
        deliveryId = try fields.uint(1, "delivery-id")
        deliveryTag = try fields.binary(2, "delivery-tag")
        messageFormat = try fields.uint(3, "message-format")
        settled = try fields.bool(4, "settled")
        more = try fields.bool(5, "more")
        receiverSettleMode = try fields.ubyte(6, "rcv-settle-mode").flatMap(AMQPAttach.ReceiverSettleMode.init(rawValue:))
        state = fields[7].isNull ? nil : try AMQPDeliveryState(described: fields[7])
        resume = try fields.bool(8, "resume")
        aborted = try fields.bool(9, "aborted")
        batchable = try fields.bool(10, "batchable")
    }

    /// All 11 fields (pyamqp reads the payload as the 12th element of the decoded frame).
    var fields: [AMQPValue] {
        [.uint(handle), deliveryId.amqp, deliveryTag.amqp, messageFormat.amqp, settled.amqp, more.amqp,
         receiverSettleMode?.rawValue.amqpValue ?? .null, state?.described ?? .null, resume.amqp, aborted.amqp, batchable.amqp]
    }
}
