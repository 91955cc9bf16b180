import Provisioning

/// A compiled routing condition's syntax tree. References are resolved at compile time (system property names
/// mapped, twin sections checked), so evaluation does no string work beyond lookups.
indirect enum RoutingExpression: Sendable, Equatable {
    /// A constant.
    case literal(JSONValue)
    /// A system property by its service name (`content-type`, `iothub-connection-device-id`).
    case systemProperty(String)
    /// An application property (always a string when present).
    case applicationProperty(String)
    /// `$body` and a path into it.
    case body([PathComponent])
    /// `$twin.tags…`, `$twin.properties.desired…`, `$twin.properties.reported…`.
    case twin(TwinSection, [PathComponent])
    /// `NOT`, unary `-` and `+`.
    case unary(UnaryOperator, RoutingExpression)
    /// Comparison, logic and arithmetic.
    case binary(BinaryOperator, RoutingExpression, RoutingExpression)
    /// A built-in function call.
    case call(RoutingFunction, [RoutingExpression])

    /// One step of a path: `.name` or `[index]`.
    enum PathComponent: Sendable, Equatable {
        case member(String)
        case index(Int)
    }

    /// The part of the twin a `$twin` path starts in.
    enum TwinSection: String, Sendable, Equatable {
        case tags, desired, reported
    }

    enum UnaryOperator: String, Sendable, Equatable {
        case not = "NOT", negate = "-", plus = "+"
    }

    enum BinaryOperator: String, Sendable, Equatable {
        case or = "OR", and = "AND"
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case add = "+", subtract = "-", multiply = "*", divide = "/", modulo = "%"
    }

    /// Whether evaluating this needs the device twin.
    var referencesTwin: Bool {
        switch self {
        case .twin: true
        case .literal, .systemProperty, .applicationProperty, .body: false
        case .unary(_, let operand): operand.referencesTwin
        case .binary(_, let left, let right): left.referencesTwin || right.referencesTwin
        case .call(_, let arguments): arguments.contains { $0.referencesTwin }
        }
    }

    /// What the expression yields, as far as the compiler can tell.
    var staticKind: StaticKind {
        switch self {
        case .literal(let value):
            switch value {
            case .bool: .boolean
            case .number: .number
            case .string: .string
            case .null: .null
            case .array, .object: .any
            }
        case .systemProperty, .applicationProperty: .string
        case .body, .twin: .any
        case .unary(let op, _): op == .not ? .boolean : .number
        case .binary(let op, _, _):
            switch op {
            case .or, .and, .equal, .notEqual, .less, .lessOrEqual, .greater, .greaterOrEqual: .boolean
            case .add, .subtract, .multiply, .divide, .modulo: .number
            }
        case .call(let function, _): function.resultKind
        }
    }

    /// A static type, for compile-time checks.
    enum StaticKind: String, Sendable, Equatable {
        case boolean, number, string, null, any
    }
}
