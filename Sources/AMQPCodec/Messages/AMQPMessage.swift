import NIOCore

/// An AMQP message (OASIS part 3, 3.2): the sections a transfer carries, in their order.
public struct AMQPMessage: Sendable, Hashable {
    /// The message format of a batch: the body is data sections each holding one whole encoded message (Azure's
    /// batched telemetry, `0x80013700`).
    public static let batchMessageFormat: UInt32 = 0x8001_3700

    public var header: AMQPMessageHeader?
    public var deliveryAnnotations: AMQPMap?
    public var messageAnnotations: AMQPMap?
    public var properties: AMQPMessageProperties?
    public var applicationProperties: AMQPMap?
    public var body: AMQPMessageBody
    public var footer: AMQPMap?

    /// Creates a message.
    public init(header: AMQPMessageHeader? = nil, deliveryAnnotations: AMQPMap? = nil, messageAnnotations: AMQPMap? = nil,
                properties: AMQPMessageProperties? = nil, applicationProperties: AMQPMap? = nil, body: AMQPMessageBody = .value(.null),
                footer: AMQPMap? = nil) {
        self.header = header
        self.deliveryAnnotations = deliveryAnnotations
        self.messageAnnotations = messageAnnotations
        self.properties = properties
        self.applicationProperties = applicationProperties
        self.body = body
        self.footer = footer
    }

    /// Writes the sections.
    public func encode(into buffer: inout ByteBuffer) {
        if let header { buffer.writeAMQPValue(.describedList(0x70, header.fields)) }
        if let deliveryAnnotations { buffer.writeAMQPValue(.described(descriptor: .ulong(0x71), value: .map(deliveryAnnotations))) }
        if let messageAnnotations { buffer.writeAMQPValue(.described(descriptor: .ulong(0x72), value: .map(messageAnnotations))) }
        if let properties { buffer.writeAMQPValue(.describedList(0x73, properties.fields)) }
        if let applicationProperties { buffer.writeAMQPValue(.described(descriptor: .ulong(0x74), value: .map(applicationProperties))) }
        switch body {
        case .data(let sections):
            for section in sections { buffer.writeAMQPValue(.described(descriptor: .ulong(0x75), value: .binary(section))) }
        case .sequence(let sections):
            for section in sections { buffer.writeAMQPValue(.described(descriptor: .ulong(0x76), value: .list(section))) }
        case .value(let value):
            buffer.writeAMQPValue(.described(descriptor: .ulong(0x77), value: value))
        }
        if let footer { buffer.writeAMQPValue(.described(descriptor: .ulong(0x78), value: .map(footer))) }
    }

    /// The encoded sections.
    public var encoded: ByteBuffer {
        var buffer = ByteBuffer()
        encode(into: &buffer)
        return buffer
    }

    /// Reads the sections of a transfer payload; sections out of order, repeated or unknown are errors.
    public init(decoding payload: ByteBuffer, limits: AMQPCodecLimits = AMQPCodecLimits()) throws(AMQPCodecError) {
        var buffer = payload
        let reader = AMQPValueReader(limits: limits)
        var message = AMQPMessage()
        var stage = 0
        var data: [[UInt8]] = []
        var sequences: [[AMQPValue]] = []
        var value: AMQPValue?
        while buffer.readableBytes > 0 {
            let section: AMQPValue
            do {
                section = try reader.read(from: &buffer)
            } catch where error.code == .truncated {
                throw AMQPCodecError(.malformed, "a message section is cut short")
            }
            guard let code = section.descriptorCode, let content = section.described?.value, (0x70...0x78).contains(code) else {
                throw .unexpected("a message holds something that is not a message section")
            }
            let order = Int(code - 0x70)
            // Sections come in order; only body sections of one kind repeat.
            guard order > stage || (order == stage && (code == 0x75 || code == 0x76)) || (stage == 0 && order == 0 && message.header == nil) else {
                throw .unexpected("message sections are out of order or repeated")
            }
            stage = order
            switch code {
            case 0x70: message.header = try AMQPMessageHeader(fields: content)
            case 0x71: message.deliveryAnnotations = try Self.map(content, "delivery-annotations")
            case 0x72: message.messageAnnotations = try Self.map(content, "message-annotations")
            case 0x73: message.properties = try AMQPMessageProperties(fields: content)
            case 0x74: message.applicationProperties = try Self.map(content, "application-properties")
            case 0x75:
                guard sequences.isEmpty, value == nil, let bytes = content.binary else { throw .unexpected("a data section is not binary") }
                data.append(bytes)
            case 0x76:
                guard data.isEmpty, value == nil, let list = content.list else { throw .unexpected("an amqp-sequence section is not a list") }
                sequences.append(list)
            case 0x77:
                guard data.isEmpty, sequences.isEmpty, value == nil else { throw .unexpected("a message has two bodies") }
                value = content
            default: message.footer = try Self.map(content, "footer")
            }
        }
        if !data.isEmpty {
            message.body = .data(data)
        } else if !sequences.isEmpty {
            message.body = .sequence(sequences)
        } else {
            message.body = .value(value ?? .null)
        }
        self = message
    }

    /// The messages of a batch (`batchMessageFormat`): each data section decoded as a whole message.
    public static func decodingBatch(_ payload: ByteBuffer, limits: AMQPCodecLimits = AMQPCodecLimits()) throws(AMQPCodecError) -> [AMQPMessage] {
        let outer = try AMQPMessage(decoding: payload, limits: limits)
        guard case .data(let sections) = outer.body else { throw .unexpected("a batch's body is not data sections") }
        return try sections.map { bytes throws(AMQPCodecError) in try AMQPMessage(decoding: ByteBuffer(bytes: bytes), limits: limits) }
    }

    private static func map(_ value: AMQPValue, _ name: String) throws(AMQPCodecError) -> AMQPMap? {
        switch value {
        case .null: return nil
        case .map(let map): return map
        default: throw .unexpected("the \(name) section is not a map")
        }
    }
}
