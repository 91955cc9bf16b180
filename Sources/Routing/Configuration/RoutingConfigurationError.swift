/// Why a routing configuration is rejected; `position` and `reason` are set for a condition that does not compile.
public struct RoutingConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, naming the route, endpoint or enrichment.
    public var message: String
    /// The route whose condition is invalid.
    public var route: String?
    /// 1-based character position in that condition.
    public var position: Int?
    /// What the condition compiler found.
    public var reason: String?

    /// Creates an error.
    public init(_ message: String, route: String? = nil, position: Int? = nil, reason: String? = nil) {
        self.message = message
        self.route = route
        self.position = position
        self.reason = reason
    }

    /// The message.
    public var description: String { message }
}
