/// `attach` (0x12): a link on a session.
public struct AMQPAttach: Sendable, Hashable {
    static let descriptor: UInt64 = 0x12

    /// Which end of the link the sender of the attach is.
    public enum Role: Sendable, Hashable {
        case sender, receiver

        var amqp: AMQPValue { .bool(self == .receiver) }
    }

    /// `snd-settle-mode`: 0 unsettled, 1 settled, 2 mixed.
    public enum SenderSettleMode: UInt8, Sendable, Hashable {
        case unsettled = 0, settled = 1, mixed = 2
    }

    /// `rcv-settle-mode`: 0 first, 1 second.
    public enum ReceiverSettleMode: UInt8, Sendable, Hashable {
        case first = 0, second = 1
    }

    public var name: String
    public var handle: UInt32
    public var role: Role
    public var senderSettleMode: SenderSettleMode?
    public var receiverSettleMode: ReceiverSettleMode?
    public var source: AMQPTerminus?
    public var target: AMQPTerminus?
    public var unsettled: AMQPMap?
    public var incompleteUnsettled: Bool?
    public var initialDeliveryCount: UInt32?
    public var maxMessageSize: UInt64?
    public var offeredCapabilities: [AMQPSymbol] = []
    public var desiredCapabilities: [AMQPSymbol] = []
    public var properties: AMQPMap?

    /// Creates an attach.
    public init(name: String, handle: UInt32, role: Role, senderSettleMode: SenderSettleMode? = nil,
                receiverSettleMode: ReceiverSettleMode? = nil, source: AMQPTerminus?, target: AMQPTerminus?,
                initialDeliveryCount: UInt32? = nil, maxMessageSize: UInt64? = nil, properties: AMQPMap? = nil) {
        self.name = name
        self.handle = handle
        self.role = role
        self.senderSettleMode = senderSettleMode
        self.receiverSettleMode = receiverSettleMode
        self.source = source
        self.target = target
        self.initialDeliveryCount = initialDeliveryCount
        self.maxMessageSize = maxMessageSize
        self.properties = properties
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("attach", value)
        name = try fields.required(0, "name") { $0.text }
        handle = try fields.required(1, "handle") { $0.uint32 }
        role = try fields.required(2, "role") { $0.bool } ? .receiver : .sender
        senderSettleMode = try fields.ubyte(3, "snd-settle-mode").map { code throws(AMQPCodecError) in
            guard let mode = SenderSettleMode(rawValue: code) else { throw .unexpected("attach.snd-settle-mode \(code) is unknown") }
            return mode
        }
        receiverSettleMode = try fields.ubyte(4, "rcv-settle-mode").map { code throws(AMQPCodecError) in
            guard let mode = ReceiverSettleMode(rawValue: code) else { throw .unexpected("attach.rcv-settle-mode \(code) is unknown") }
            return mode
        }
        source = fields[5].isNull ? nil : try AMQPTerminus(described: fields[5])
        target = fields[6].isNull ? nil : try AMQPTerminus(described: fields[6])
        unsettled = try fields.map(7, "unsettled")
        incompleteUnsettled = try fields.bool(8, "incomplete-unsettled")
        initialDeliveryCount = try fields.uint(9, "initial-delivery-count")
        maxMessageSize = try fields.ulong(10, "max-message-size")
        offeredCapabilities = try fields.symbols(11, "offered-capabilities")
        desiredCapabilities = try fields.symbols(12, "desired-capabilities")
        properties = try fields.map(13, "properties")
    }

    /// All 14 fields.
    var fields: [AMQPValue] {
        [.string(name), .uint(handle), role.amqp, senderSettleMode?.rawValue.amqpValue ?? .null,
         receiverSettleMode?.rawValue.amqpValue ?? .null, source?.describedSource ?? .null, target?.describedTarget ?? .null,
         unsettled.amqp, incompleteUnsettled.amqp, initialDeliveryCount.amqp, maxMessageSize.amqp, offeredCapabilities.amqp,
         desiredCapabilities.amqp, properties.amqp]
    }
}

extension UInt8 {
    var amqpValue: AMQPValue { .ubyte(self) }
}
