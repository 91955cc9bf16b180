/// A message body: one or more data sections, one or more amqp-sequence sections, or one amqp-value section.
public enum AMQPMessageBody: Sendable, Hashable {
    case data([[UInt8]])
    case sequence([[AMQPValue]])
    case value(AMQPValue)

    /// The bytes of all data sections, concatenated; nil for other bodies.
    public var bytes: [UInt8]? {
        guard case .data(let sections) = self else { return nil }
        return sections.count == 1 ? sections[0] : sections.flatMap { $0 }
    }
}
