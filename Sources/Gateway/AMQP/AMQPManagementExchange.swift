import AMQPCodec

/// A request on a request/reply node (`$cbs`, `$management`) and its reply: the reply's `correlation-id` is the
/// request's `message-id` with the same AMQP type (uamqp-c insists on its ulong), `status-code` is an int32 and
/// `status-description` a string, as the Azure clients read them.
struct AMQPManagementExchange: Sendable {
    /// The request's message-id.
    var messageId: AMQPValue?
    /// The request's application properties whose values are text.
    var properties: [String: String]
    /// The request's body (an amqp-value; the token of a put-token).
    var body: AMQPValue?

    /// Reads a request.
    init(_ message: AMQPMessage) {
        messageId = message.properties?.messageId
        var properties: [String: String] = [:]
        for entry in message.applicationProperties?.entries ?? [] {
            if let key = entry.key.text, let value = entry.value.text { properties[key] = value }
        }
        self.properties = properties
        if case .value(let value) = message.body, !value.isNull { body = value } else { body = nil }
    }

    /// The reply with `status` and `description`, and `body` as an amqp-value when given.
    func reply(status: Int32, description: String, body: AMQPValue? = nil) -> AMQPMessage {
        var application = AMQPMap()
        application[string: "status-code"] = .int(status)
        application[string: "status-description"] = .string(description)
        return AMQPMessage(properties: AMQPMessageProperties(correlationId: messageId), applicationProperties: application,
                           body: body.map(AMQPMessageBody.value) ?? .value(.null))
    }
}
