/// `begin` (0x11): a session on a channel.
public struct AMQPBegin: Sendable, Hashable {
    static let descriptor: UInt64 = 0x11

    /// Set when answering the peer's begin: the channel it began on.
    public var remoteChannel: UInt16?
    public var nextOutgoingId: UInt32
    public var incomingWindow: UInt32
    public var outgoingWindow: UInt32
    public var handleMax: UInt32?
    public var offeredCapabilities: [AMQPSymbol] = []
    public var desiredCapabilities: [AMQPSymbol] = []
    public var properties: AMQPMap?

    /// Creates a begin.
    public init(remoteChannel: UInt16? = nil, nextOutgoingId: UInt32, incomingWindow: UInt32, outgoingWindow: UInt32,
                handleMax: UInt32? = nil) {
        self.remoteChannel = remoteChannel
        self.nextOutgoingId = nextOutgoingId
        self.incomingWindow = incomingWindow
        self.outgoingWindow = outgoingWindow
        self.handleMax = handleMax
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("begin", value)
        remoteChannel = try fields.ushort(0, "remote-channel")
        nextOutgoingId = try fields.required(1, "next-outgoing-id") { $0.uint32 }
        incomingWindow = try fields.required(2, "incoming-window") { $0.uint32 }
        outgoingWindow = try fields.required(3, "outgoing-window") { $0.uint32 }
        handleMax = try fields.uint(4, "handle-max")
        offeredCapabilities = try fields.symbols(5, "offered-capabilities")
        desiredCapabilities = try fields.symbols(6, "desired-capabilities")
        properties = try fields.map(7, "properties")
    }

    /// All 8 fields.
    var fields: [AMQPValue] {
        [remoteChannel.amqp, .uint(nextOutgoingId), .uint(incomingWindow), .uint(outgoingWindow), handleMax.amqp,
         offeredCapabilities.amqp, desiredCapabilities.amqp, properties.amqp]
    }
}
