/// An AMQP error (`amqp:error:list`): a condition symbol, a description and an info map.
public struct AMQPError: Sendable, Hashable, Error {
    static let descriptor: UInt64 = 0x1D

    /// E.g. `amqp:unauthorized-access`, `amqp:link:redirect`, `com.microsoft:argument-out-of-range`.
    public var condition: AMQPSymbol
    /// For people.
    public var description: String?
    /// Extra fields (a redirect's host and address).
    public var info: AMQPMap?

    /// Creates an error.
    public init(condition: AMQPSymbol, description: String? = nil, info: AMQPMap? = nil) {
        self.condition = condition
        self.description = description
        self.info = info
    }

    /// Reads an error from its described list.
    public init(described value: AMQPValue) throws(AMQPCodecError) {
        guard value.descriptorCode == Self.descriptor, let list = value.described?.value else { throw .unexpected("not an AMQP error") }
        let fields = try AMQPFieldList("error", list)
        condition = try fields.required(0, "condition") { $0.text.map { AMQPSymbol($0) } }
        description = try fields.string(1, "description")
        info = try fields.map(2, "info")
    }

    /// The described list.
    public var described: AMQPValue {
        .describedList(Self.descriptor, [.symbol(condition), description.amqp, info.amqp])
    }

    /// The standard conditions (OASIS part 2, 2.8.15–2.8.18) and the ones Azure clients understand.
    public enum Condition {
        public static let internalError: AMQPSymbol = "amqp:internal-error"
        public static let notFound: AMQPSymbol = "amqp:not-found"
        public static let unauthorizedAccess: AMQPSymbol = "amqp:unauthorized-access"
        public static let decodeError: AMQPSymbol = "amqp:decode-error"
        public static let resourceLimitExceeded: AMQPSymbol = "amqp:resource-limit-exceeded"
        public static let notAllowed: AMQPSymbol = "amqp:not-allowed"
        public static let invalidField: AMQPSymbol = "amqp:invalid-field"
        public static let notImplemented: AMQPSymbol = "amqp:not-implemented"
        public static let resourceLocked: AMQPSymbol = "amqp:resource-locked"
        public static let preconditionFailed: AMQPSymbol = "amqp:precondition-failed"
        public static let resourceDeleted: AMQPSymbol = "amqp:resource-deleted"
        public static let illegalState: AMQPSymbol = "amqp:illegal-state"
        public static let frameSizeTooSmall: AMQPSymbol = "amqp:frame-size-too-small"
        public static let connectionForced: AMQPSymbol = "amqp:connection:forced"
        public static let framingError: AMQPSymbol = "amqp:connection:framing-error"
        public static let connectionRedirect: AMQPSymbol = "amqp:connection:redirect"
        public static let windowViolation: AMQPSymbol = "amqp:session:window-violation"
        public static let errantLink: AMQPSymbol = "amqp:session:errant-link"
        public static let handleInUse: AMQPSymbol = "amqp:session:handle-in-use"
        public static let unattachedHandle: AMQPSymbol = "amqp:session:unattached-handle"
        public static let detachForced: AMQPSymbol = "amqp:link:detach-forced"
        public static let transferLimitExceeded: AMQPSymbol = "amqp:link:transfer-limit-exceeded"
        public static let messageSizeExceeded: AMQPSymbol = "amqp:link:message-size-exceeded"
        public static let linkRedirect: AMQPSymbol = "amqp:link:redirect"
        public static let stolen: AMQPSymbol = "amqp:link:stolen"
    }
}
