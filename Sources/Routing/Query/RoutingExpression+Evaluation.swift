import Provisioning

extension RoutingExpression {
    /// The value of the expression for one message; nil is `undefined` (a missing property, a type mismatch).
    ///
    /// Logic is three-valued as in IoT Hub: `false AND undefined` is false, `true OR undefined` is true, and a
    /// route matches only when its condition is exactly `true`.
    func evaluate(in context: RoutingEvaluationContext) -> JSONValue? {
        switch self {
        case .literal(let value):
            return value
        case .systemProperty(let name):
            return context.message.systemProperties[name].map(JSONValue.string)
        case .applicationProperty(let name):
            return context.message.applicationProperties[name].map(JSONValue.string)
        case .body(let path):
            return context.body.flatMap { Self.resolve(path, in: $0) }
        case .twin(let section, let path):
            return context.twinSection(section).flatMap { Self.resolve(path, in: $0) }
        case .unary(let op, let operand):
            let value = operand.evaluate(in: context)
            switch (op, value) {
            case (.not, .bool(let flag)?): return .bool(!flag)
            case (.negate, .number(let number)?): return .number(-number)
            case (.plus, .number?): return value
            default: return nil
            }
        case .binary(let op, let left, let right):
            return Self.binary(op, left, right, in: context)
        case .call(let function, let arguments):
            return function.apply(arguments.map { $0.evaluate(in: context) })
        }
    }

    private static func binary(_ op: BinaryOperator, _ left: RoutingExpression, _ right: RoutingExpression,
                               in context: RoutingEvaluationContext) -> JSONValue? {
        switch op {
        case .and:
            let first = left.evaluate(in: context)
            if first == .bool(false) { return .bool(false) }
            let second = right.evaluate(in: context)
            if second == .bool(false) { return .bool(false) }
            return first == .bool(true) && second == .bool(true) ? .bool(true) : nil
        case .or:
            let first = left.evaluate(in: context)
            if first == .bool(true) { return .bool(true) }
            let second = right.evaluate(in: context)
            if second == .bool(true) { return .bool(true) }
            return first == .bool(false) && second == .bool(false) ? .bool(false) : nil
        default:
            guard let a = left.evaluate(in: context), let b = right.evaluate(in: context) else { return nil }
            return compute(op, a, b)
        }
    }

    private static func compute(_ op: BinaryOperator, _ a: JSONValue, _ b: JSONValue) -> JSONValue? {
        switch op {
        case .equal, .notEqual:
            guard let equal = equality(a, b) else { return nil }
            return .bool(op == .equal ? equal : !equal)
        case .less, .lessOrEqual, .greater, .greaterOrEqual:
            let order: Int
            switch (a, b) {
            case (.number(let x), .number(let y)): order = x < y ? -1 : (x > y ? 1 : 0)
            case (.string(let x), .string(let y)): order = ordinal(x, y)
            default: return nil
            }
            switch op {
            case .less: return .bool(order < 0)
            case .lessOrEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .add, .subtract, .multiply, .divide, .modulo:
            guard case .number(let x) = a, case .number(let y) = b else { return nil }
            let result: Double
            switch op {
            case .add: result = x + y
            case .subtract: result = x - y
            case .multiply: result = x * y
            case .divide: result = x / y
            default: result = x.truncatingRemainder(dividingBy: y)
            }
            return result.isFinite ? .number(result) : nil
        case .and, .or:
            return nil
        }
    }

    /// Equality of values of one type; nil (undefined) across types, except that `null` equals only `null`.
    private static func equality(_ a: JSONValue, _ b: JSONValue) -> Bool? {
        switch (a, b) {
        case (.null, .null): true
        case (.null, _), (_, .null): false
        case (.bool(let x), .bool(let y)): x == y
        case (.number(let x), .number(let y)): x == y
        case (.string(let x), .string(let y)): x == y
        case (.array, .array), (.object, .object): a == b
        default: nil
        }
    }

    /// Ordinal comparison by Unicode scalar values (culture-independent, as IoT Hub does).
    private static func ordinal(_ x: String, _ y: String) -> Int {
        var left = x.unicodeScalars.makeIterator()
        var right = y.unicodeScalars.makeIterator()
        while true {
            switch (left.next(), right.next()) {
            case (nil, nil): return 0
            case (nil, _): return -1
            case (_, nil): return 1
            case (let p?, let q?) where p != q: return p.value < q.value ? -1 : 1
            default: continue
            }
        }
    }

    /// Follows `path` into `value`.
    static func resolve(_ path: [PathComponent], in value: JSONValue) -> JSONValue? {
        var current = value
        for component in path {
            switch (component, current) {
            case (.member(let name), .object(let members)):
                guard let next = members[name] else { return nil }
                current = next
            case (.index(let position), .array(let elements)):
                guard position < elements.count else { return nil }
                current = elements[position]
            default:
                return nil
            }
        }
        return current
    }
}
