/// A failure of the events and routing APIs with a code the edge maps to a status; `message` is public.
public struct RoutingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What kind of failure.
    public enum Code: Sendable, Equatable {
        /// No such endpoint, partition or checkpoint (404).
        case notFound
        /// A malformed argument (400).
        case invalidArgument
        /// A routing configuration that does not validate (400, with the condition's position and reason if any).
        case invalidConfiguration(RoutingConfigurationError)
    }

    /// The kind.
    public var code: Code
    /// Safe-to-show message.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
