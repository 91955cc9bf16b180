/// The `properties` section (0x73): the message's immutable standard properties.
public struct AMQPMessageProperties: Sendable, Hashable {
    /// ulong, uuid, binary or string.
    public var messageId: AMQPValue?
    public var userId: [UInt8]?
    public var to: String?
    public var subject: String?
    public var replyTo: String?
    /// ulong, uuid, binary or string.
    public var correlationId: AMQPValue?
    public var contentType: AMQPSymbol?
    public var contentEncoding: AMQPSymbol?
    /// Milliseconds since the epoch.
    public var absoluteExpiryTime: Int64?
    /// Milliseconds since the epoch.
    public var creationTime: Int64?
    public var groupId: String?
    public var groupSequence: UInt32?
    public var replyToGroupId: String?

    /// Creates properties.
    public init(messageId: AMQPValue? = nil, userId: [UInt8]? = nil, to: String? = nil, correlationId: AMQPValue? = nil,
                contentType: AMQPSymbol? = nil, contentEncoding: AMQPSymbol? = nil, absoluteExpiryTime: Int64? = nil,
                creationTime: Int64? = nil) {
        self.messageId = messageId
        self.userId = userId
        self.to = to
        self.correlationId = correlationId
        self.contentType = contentType
        self.contentEncoding = contentEncoding
        self.absoluteExpiryTime = absoluteExpiryTime
        self.creationTime = creationTime
    }

    init(fields value: AMQPValue) throws(AMQPCodecError) {
        let fields = try AMQPFieldList("properties", value)
        messageId = fields[0].isNull ? nil : fields[0]
        userId = try fields.binary(1, "user-id")
        to = try fields.string(2, "to")
        subject = try fields.string(3, "subject")
        replyTo = try fields.string(4, "reply-to")
        correlationId = fields[5].isNull ? nil : fields[5]
        contentType = try fields.symbol(6, "content-type")
        contentEncoding = try fields.symbol(7, "content-encoding")
        absoluteExpiryTime = try fields.optional(8, "absolute-expiry-time") { $0.timestamp }
        creationTime = try fields.optional(9, "creation-time") { $0.timestamp }
        groupId = try fields.string(10, "group-id")
        groupSequence = try fields.uint(11, "group-sequence")
        replyToGroupId = try fields.string(12, "reply-to-group-id")
    }

    var fields: [AMQPValue] {
        [messageId ?? .null, userId.amqp, to.amqp, subject.amqp, replyTo.amqp, correlationId ?? .null, contentType.amqp,
         contentEncoding.amqp, absoluteExpiryTime.map(AMQPValue.timestamp) ?? .null, creationTime.map(AMQPValue.timestamp) ?? .null,
         groupId.amqp, groupSequence.amqp, replyToGroupId.amqp]
    }
}
