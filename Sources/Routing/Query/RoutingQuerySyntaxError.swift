/// Why a routing condition does not compile, and where: `position` is the 1-based character offset of the offending token.
public struct RoutingQuerySyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based character position in the condition text.
    public var position: Int
    /// What was expected or found.
    public var reason: String

    /// Creates an error.
    public init(position: Int, reason: String) {
        self.position = position
        self.reason = reason
    }

    /// `position 12: …`.
    public var description: String { "position \(position): \(reason)" }
}
