import Provisioning

/// A parsed IoT Hub query over twins: `SELECT [TOP n] selection FROM devices|devices.modules|devices.jobs
/// [WHERE condition] [GROUP BY paths] [ORDER BY path [ASC|DESC], …]`.
///
/// Conditions compare paths (`deviceId`, `status`, `tags.a.b`, `properties.desired.x`, `properties.reported['y z']`)
/// with literals or other paths (`=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`), test membership (`IN`/`NIN [list]`), call
/// the type and string functions (`IS_DEFINED`, `IS_NUMBER`, `STARTSWITH`, `ARRAY_CONTAINS`, …), and combine with
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

    /// The one-argument type tests.
    public enum TypeTest: String, Sendable, Equatable, CaseIterable {
        case isNull = "IS_NULL", isBool = "IS_BOOL", isNumber = "IS_NUMBER", isString = "IS_STRING"
        case isObject = "IS_OBJECT", isArray = "IS_ARRAY", isPrimitive = "IS_PRIMITIVE"
    }

    /// The two-argument string and array tests.
    public enum ValueTest: String, Sendable, Equatable, CaseIterable {
        case startsWith = "STARTSWITH", endsWith = "ENDSWITH", contains = "CONTAINS", arrayContains = "ARRAY_CONTAINS"
    }

    /// A `WHERE` condition.
    public indirect enum Condition: Sendable, Equatable {
        case and(Condition, Condition)
        case or(Condition, Condition)
        case not(Condition)
        case isDefined(Path)
        case compare(Operand, Comparison, Operand)
        /// `IS_NULL(x)`, `IS_NUMBER(x)`, …: undefined arguments give false, as in IoT Hub.
        case typeTest(TypeTest, Operand)
        /// `STARTSWITH(x, 'a')`, `ARRAY_CONTAINS(x, 1)`, …: undefined when an argument has the wrong type.
        case valueTest(ValueTest, Operand, Operand)
        /// `x IN [..]` (negated: `x NIN [..]`).
        case membership(Operand, [JSONValue], negated: Bool)
    }

    /// What a projection item computes.
    public enum Expression: Sendable, Equatable {
        /// A value read from the document.
        case path(Path)
        /// `COUNT()`: the number of documents (in the group).
        case count
    }

    /// One item of a `SELECT` list.
    public struct Projection: Sendable, Equatable {
        /// What it computes.
        public var expression: Expression
        /// `AS name`; nil takes the path's last member (`$1`, `$2`, … for an unnamed `COUNT()`).
        public var alias: String?

        /// Creates an item.
        public init(_ expression: Expression, alias: String? = nil) {
            self.expression = expression
            self.alias = alias
        }
    }

    /// An `ORDER BY` key.
    public struct Ordering: Sendable, Equatable {
        /// The key.
        public var path: Path
        /// `DESC`.
        public var descending: Bool

        /// Creates a key.
        public init(_ path: Path, descending: Bool = false) {
            self.path = path
            self.descending = descending
        }
    }

    /// The collections a query reads.
    public enum Collection: String, Sendable, Equatable {
        case devices
        case modules = "devices.modules"
        case jobs = "devices.jobs"
    }

    /// The collection after `FROM`.
    public var collection: String
    /// `SELECT *` when nil; else the projection list.
    public var projections: [Projection]?
    /// `TOP n`.
    public var top: Int?
    /// The `WHERE` condition; nil selects every twin.
    public var condition: Condition?
    /// `GROUP BY` keys.
    public var groupBy: [Path]
    /// `ORDER BY` keys.
    public var orderBy: [Ordering]

    /// Creates a query.
    public init(collection: String = "devices", projections: [Projection]? = nil, top: Int? = nil, condition: Condition? = nil,
                groupBy: [Path] = [], orderBy: [Ordering] = []) {
        self.collection = collection
        self.projections = projections
        self.top = top
        self.condition = condition
        self.groupBy = groupBy
        self.orderBy = orderBy
    }

    /// Parses query text; text over `limits` (length, nesting, operators) is a syntax error naming the limit.
    public init(parsing text: String, limits: QueryLimits = .standard) throws(TwinQuerySyntaxError) {
        var parser = try TwinQueryParser(text, limits: limits)
        self = try parser.parseQuery()
    }

    /// Whether the query aggregates (`COUNT()` or `GROUP BY`): one row per group rather than per document.
    public var aggregates: Bool {
        !groupBy.isEmpty || (projections ?? []).contains { $0.expression == .count }
    }

    /// Whether results can stream in registry order (no sorting, grouping or overall limit).
    public var streams: Bool {
        !aggregates && orderBy.isEmpty && top == nil && collection == Collection.devices.rawValue
    }
}
