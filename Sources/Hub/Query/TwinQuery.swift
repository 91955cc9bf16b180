import Provisioning

/// A parsed IoT Hub twin query, the subset `SELECT * FROM devices [WHERE condition]`.
///
/// Conditions compare paths (`deviceId`, `status`, `tags.a.b`, `properties.desired.x`, `properties.reported['y z']`)
/// with literals or other paths (`=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`), test `IS_DEFINED(path)`, and combine with
/// `NOT`, `AND`, `OR` (in that order of precedence) and parentheses. Keywords are case-insensitive.
public struct TwinQuery: Sendable, Equatable {
    /// A dotted path into the twin document.
    public struct Path: Sendable, Hashable, CustomStringConvertible {
        /// Member names from the document root.
        public var segments: [String]

        /// Creates a path.
        public init(_ segments: [String]) { self.segments = segments }

        /// `tags.a.b`.
        public var description: String { segments.joined(separator: ".") }
    }

    /// One side of a comparison.
    public enum Operand: Sendable, Equatable {
        /// A value read from the twin (absent members are undefined).
        case path(Path)
        /// A constant.
        case literal(JSONValue)
    }

    /// A comparison operator.
    public enum Comparison: String, Sendable, Equatable {
        case equal = "="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
    }

    /// A `WHERE` condition.
    public indirect enum Condition: Sendable, Equatable {
        case and(Condition, Condition)
        case or(Condition, Condition)
        case not(Condition)
        case isDefined(Path)
        case compare(Operand, Comparison, Operand)
    }

    /// The collection after `FROM` (always `devices`).
    public var collection: String
    /// The `WHERE` condition; nil selects every twin.
    public var condition: Condition?

    /// Creates a query.
    public init(collection: String = "devices", condition: Condition? = nil) {
        self.collection = collection
        self.condition = condition
    }

    /// Parses query text; text over `limits` (length, nesting, operators) is a syntax error naming the limit.
    public init(parsing text: String, limits: QueryLimits = .standard) throws(TwinQuerySyntaxError) {
        var parser = try TwinQueryParser(text, limits: limits)
        self = try parser.parseQuery()
    }
}
