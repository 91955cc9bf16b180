/// Why a receiver's starting position was refused; `message` is public (no secrets in a selector filter). The gateway
/// answers it on the attach with an Event Hubs error: `unsupportedFilter`/`invalidValue` as `amqp:invalid-field`
/// (or `com.microsoft:argument-error`), `outOfRange` as `com.microsoft:argument-out-of-range`.
public struct EventPositionError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong.
    public enum Code: Sendable, Equatable {
        /// Not one of the selector forms the Event Hubs clients send.
        case unsupportedFilter
        /// The quoted value is not a number of the right kind.
        case invalidValue
        /// A sequence number or offset beyond the partition's next one.
        case outOfRange
    }

    /// What was wrong.
    public var code: Code
    /// A public explanation.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
