/// A link's `source` (0x28) or `target` (0x29): the node address and what the link asks of it.
public struct AMQPTerminus: Sendable, Hashable {
    static let sourceDescriptor: UInt64 = 0x28
    static let targetDescriptor: UInt64 = 0x29

    public var address: String?
    public var durable: UInt32?
    public var expiryPolicy: AMQPSymbol?
    public var timeout: UInt32?
    public var dynamic: Bool?
    public var dynamicNodeProperties: AMQPMap?
    /// Source only.
    public var distributionMode: AMQPSymbol?
    /// Source only: filter name → (usually described) filter value, e.g. `apache.org:selector-filter:string`.
    public var filter: AMQPMap?
    /// Source only.
    public var defaultOutcome: AMQPValue?
    /// Source only.
    public var outcomes: [AMQPSymbol] = []
    public var capabilities: [AMQPSymbol] = []

    /// Creates a terminus for `address`.
    public init(address: String?, filter: AMQPMap? = nil) {
        self.address = address
        self.filter = filter
    }

    /// Reads a source or target.
    public init(described value: AMQPValue) throws(AMQPCodecError) {
        guard let (descriptor, list) = value.described, let code = descriptor.unsignedInteger,
              code == Self.sourceDescriptor || code == Self.targetDescriptor else {
            throw .unexpected("a terminus is neither a source nor a target")
        }
        let fields = try AMQPFieldList(code == Self.sourceDescriptor ? "source" : "target", list)
        address = try fields.string(0, "address")
        durable = try fields.uint(1, "durable")
        expiryPolicy = try fields.symbol(2, "expiry-policy")
        timeout = try fields.uint(3, "timeout")
        dynamic = try fields.bool(4, "dynamic")
        dynamicNodeProperties = try fields.map(5, "dynamic-node-properties")
        if code == Self.sourceDescriptor {
            distributionMode = try fields.symbol(6, "distribution-mode")
            filter = try fields.map(7, "filter")
            defaultOutcome = fields[8].isNull ? nil : fields[8]
            outcomes = try fields.symbols(9, "outcomes")
            capabilities = try fields.symbols(10, "capabilities")
        } else {
            capabilities = try fields.symbols(6, "capabilities")
        }
    }

    /// As a source (11 fields).
    public var describedSource: AMQPValue {
        .describedList(Self.sourceDescriptor, [address.amqp, durable.amqp, expiryPolicy.amqp, timeout.amqp, dynamic.amqp,
                                                dynamicNodeProperties.amqp, distributionMode.amqp, filter.amqp,
                                                defaultOutcome ?? .null, outcomes.amqp, capabilities.amqp])
    }

    /// As a target (7 fields).
    public var describedTarget: AMQPValue {
        .describedList(Self.targetDescriptor, [address.amqp, durable.amqp, expiryPolicy.amqp, timeout.amqp, dynamic.amqp,
                                                dynamicNodeProperties.amqp, capabilities.amqp])
    }

    /// The text of the selector filter (`apache.org:selector-filter:string`), described or plain.
    public var selectorFilter: String? {
        guard let filter else { return nil }
        for entry in filter.entries where entry.key.text == "apache.org:selector-filter:string" {
            if let (_, value) = entry.value.described { return value.text }
            return entry.value.text
        }
        return nil
    }
}
