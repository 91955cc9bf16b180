/// `open` (0x10): connection parameters.
public struct AMQPOpen: Sendable, Hashable {
    static let descriptor: UInt64 = 0x10

    public var containerId: String
    public var hostname: String?
    public var maxFrameSize: UInt32?
    public var channelMax: UInt16?
    /// Milliseconds; the peer closes the connection after this long without a frame.
    public var idleTimeOut: UInt32?
    public var outgoingLocales: [AMQPSymbol] = []
    public var incomingLocales: [AMQPSymbol] = []
    public var offeredCapabilities: [AMQPSymbol] = []
    public var desiredCapabilities: [AMQPSymbol] = []
    public var properties: AMQPMap?

    /// Creates an open.
    public init(containerId: String, hostname: String? = nil, maxFrameSize: UInt32? = nil, channelMax: UInt16? = nil,
                idleTimeOut: UInt32? = nil, properties: AMQPMap? = nil) {
        self.containerId = containerId
        self.hostname = hostname
        self.maxFrameSize = maxFrameSize
        self.channelMax = channelMax
        self.idleTimeOut = idleTimeOut
        self.properties = properties
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("open", value)
        containerId = try fields.required(0, "container-id") { $0.text }
        hostname = try fields.string(1, "hostname")
        maxFrameSize = try fields.uint(2, "max-frame-size")
        channelMax = try fields.ushort(3, "channel-max")
        idleTimeOut = try fields.uint(4, "idle-time-out")
        outgoingLocales = try fields.symbols(5, "outgoing-locales")
        incomingLocales = try fields.symbols(6, "incoming-locales")
        offeredCapabilities = try fields.symbols(7, "offered-capabilities")
        desiredCapabilities = try fields.symbols(8, "desired-capabilities")
        properties = try fields.map(9, "properties")
    }

    /// All 10 fields.
    var fields: [AMQPValue] {
        [.string(containerId), hostname.amqp, maxFrameSize.amqp, channelMax.amqp, idleTimeOut.amqp, outgoingLocales.amqp,
         incomingLocales.amqp, offeredCapabilities.amqp, desiredCapabilities.amqp, properties.amqp]
    }
}
