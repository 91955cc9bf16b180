import Provisioning

extension TwinQuery {
    /// Whether a twin document (`DeviceTwin.serviceDocument`) is selected.
    ///
    /// Comparisons follow IoT Hub (Cosmos DB) semantics: a comparison that involves an undefined path, or orders
    /// values of different types, is undefined; `NOT`, `AND` and `OR` are three-valued; only `true` selects.
    public func matches(_ document: JSONValue) -> Bool {
        guard let condition else { return true }
        return Self.evaluate(condition, in: document) == true
    }

    static func evaluate(_ condition: Condition, in document: JSONValue) -> Bool? {
        switch condition {
        case .and(let left, let right):
            let lhs = evaluate(left, in: document)
            if lhs == false { return false }
            let rhs = evaluate(right, in: document)
            if rhs == false { return false }
            return lhs == true && rhs == true ? true : nil
        case .or(let left, let right):
            let lhs = evaluate(left, in: document)
            if lhs == true { return true }
            let rhs = evaluate(right, in: document)
            if rhs == true { return true }
            return lhs == false && rhs == false ? false : nil
        case .not(let inner):
            return evaluate(inner, in: document).map { !$0 }
        case .isDefined(let path):
            return value(at: path, in: document) != nil
        case .compare(let left, let comparison, let right):
            guard let lhs = value(of: left, in: document), let rhs = value(of: right, in: document) else { return nil }
            return compare(lhs, comparison, rhs)
        case .typeTest(let test, let operand):
            guard let value = value(of: operand, in: document) else { return false }
            return typeTest(test, value)
        case .valueTest(let test, let left, let right):
            guard let lhs = value(of: left, in: document), let rhs = value(of: right, in: document) else { return nil }
            return valueTest(test, lhs, rhs)
        case .membership(let operand, let list, let negated):
            guard let value = value(of: operand, in: document) else { return nil }
            return list.contains(value) != negated
        }
    }

    private static func typeTest(_ test: TypeTest, _ value: JSONValue) -> Bool {
        switch (test, value) {
        case (.isNull, .null), (.isBool, .bool), (.isNumber, .number), (.isString, .string), (.isObject, .object), (.isArray, .array):
            return true
        case (.isPrimitive, .null), (.isPrimitive, .bool), (.isPrimitive, .number), (.isPrimitive, .string):
            return true
        default:
            return false
        }
    }

    private static func valueTest(_ test: ValueTest, _ lhs: JSONValue, _ rhs: JSONValue) -> Bool? {
        switch (test, lhs, rhs) {
        case (.startsWith, .string(let text), .string(let prefix)): text.hasPrefix(prefix)
        case (.endsWith, .string(let text), .string(let suffix)): text.hasSuffix(suffix)
        case (.contains, .string(let text), .string(let part)): part.isEmpty || text.contains(part)
        case (.arrayContains, .array(let items), _): items.contains(rhs)
        default: nil
        }
    }

    /// The value at `path`, or nil when a member on the way is missing.
    public static func value(at path: Path, in document: JSONValue) -> JSONValue? {
        var current = document
        for segment in path.segments {
            guard let next = current[segment] else { return nil }
            current = next
        }
        return current
    }

    private static func value(of operand: Operand, in document: JSONValue) -> JSONValue? {
        switch operand {
        case .path(let path): value(at: path, in: document)
        case .literal(let literal): literal
        }
    }

    private static func compare(_ lhs: JSONValue, _ comparison: Comparison, _ rhs: JSONValue) -> Bool? {
        switch comparison {
        case .equal: return lhs == rhs
        case .notEqual: return lhs != rhs
        default: break
        }
        let order: Int
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        case (.string(let a), .string(let b)): order = a < b ? -1 : (a > b ? 1 : 0)
        default: return nil
        }
        switch comparison {
        case .less: return order < 0
        case .lessOrEqual: return order <= 0
        case .greater: return order > 0
        case .greaterOrEqual: return order >= 0
        case .equal, .notEqual: return nil
        }
    }
}
