/// Why query text does not parse, and where: `position` is the 1-based character offset of the offending token.
public struct TwinQuerySyntaxError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 1-based character position in the query text.
    public var position: Int
    /// What was expected or found.
    public var reason: String

    /// Creates an error.
    public init(position: Int, reason: String) {
        self.position = position
        self.reason = reason
    }

    /// `syntax error at position 12: …`.
    public var description: String { "syntax error at position \(position): \(reason)" }
}
