import Hub
import Foundation
import Provisioning

/// The built-in functions of IoT Hub's routing query language: type checks, string and math functions.
enum RoutingFunction: String, Sendable, Equatable, CaseIterable {
    case isArray = "IS_ARRAY", isBool = "IS_BOOL", isDefined = "IS_DEFINED", isNull = "IS_NULL", isNumber = "IS_NUMBER"
    case isObject = "IS_OBJECT", isPrimitive = "IS_PRIMITIVE", isString = "IS_STRING"
    case abs = "ABS", ceiling = "CEILING", exp = "EXP", floor = "FLOOR", power = "POWER", sign = "SIGN", sqrt = "SQRT"
    case square = "SQUARE"
    case concat = "CONCAT", length = "LENGTH", lower = "LOWER", upper = "UPPER", substring = "SUBSTRING", indexOf = "INDEX_OF"
    case startsWith = "STARTS_WITH", endsWith = "ENDS_WITH", contains = "CONTAINS"

    /// The function called `name` (case-insensitive).
    init?(name: String) {
        guard let found = Self.allCases.first(where: { $0.rawValue.equalsIgnoringCase(name) }) else { return nil }
        self = found
    }

    /// How many arguments it takes.
    var arity: ClosedRange<Int> {
        switch self {
        case .isArray, .isBool, .isDefined, .isNull, .isNumber, .isObject, .isPrimitive, .isString: 1...1
        case .abs, .ceiling, .exp, .floor, .sign, .sqrt, .square, .length, .lower, .upper: 1...1
        case .power, .indexOf, .startsWith, .endsWith, .contains: 2...2
        case .substring: 3...3
        case .concat: 2...16
        }
    }

    /// The kind each argument must have (nil: any), checked at compile time for arguments whose kind is known.
    func expectedKind(argument: Int) -> RoutingExpression.StaticKind? {
        switch self {
        case .isArray, .isBool, .isDefined, .isNull, .isNumber, .isObject, .isPrimitive, .isString: nil
        case .abs, .ceiling, .exp, .floor, .sign, .sqrt, .square, .power: .number
        case .concat, .length, .lower, .upper, .indexOf, .startsWith, .endsWith, .contains: .string
        case .substring: argument == 0 ? .string : .number
        }
    }

    /// What it returns.
    var resultKind: RoutingExpression.StaticKind {
        switch self {
        case .isArray, .isBool, .isDefined, .isNull, .isNumber, .isObject, .isPrimitive, .isString: .boolean
        case .startsWith, .endsWith, .contains: .boolean
        case .abs, .ceiling, .exp, .floor, .sign, .sqrt, .square, .power, .length, .indexOf: .number
        case .concat, .lower, .upper, .substring: .string
        }
    }

    /// Applies the function; nil is `undefined` (an argument of the wrong type, or undefined where a value is needed).
    func apply(_ arguments: [JSONValue?]) -> JSONValue? {
        switch self {
        case .isDefined: return .bool(arguments[0] != nil)
        case .isArray: return .bool({ if case .array = arguments[0] { true } else { false } }())
        case .isBool: return .bool({ if case .bool = arguments[0] { true } else { false } }())
        case .isNull: return .bool(arguments[0] == .null)
        case .isNumber: return .bool({ if case .number = arguments[0] { true } else { false } }())
        case .isObject: return .bool({ if case .object = arguments[0] { true } else { false } }())
        case .isString: return .bool({ if case .string = arguments[0] { true } else { false } }())
        case .isPrimitive:
            switch arguments[0] {
            case .null?, .bool?, .number?, .string?: return .bool(true)
            default: return .bool(false)
            }
        case .abs, .ceiling, .exp, .floor, .sign, .sqrt, .square:
            guard case .number(let value)? = arguments[0] else { return nil }
            return Self.finite(unaryMath(value))
        case .power:
            guard case .number(let base)? = arguments[0], case .number(let exponent)? = arguments[1] else { return nil }
            return Self.finite(Foundation.pow(base, exponent))
        default:
            return applyString(arguments)
        }
    }

    private func unaryMath(_ value: Double) -> Double {
        switch self {
        case .abs: Swift.abs(value)
        case .ceiling: value.rounded(.up)
        case .exp: Foundation.exp(value)
        case .floor: value.rounded(.down)
        case .sign: value > 0 ? 1 : (value < 0 ? -1 : 0)
        case .sqrt: value.squareRoot()
        default: value * value
        }
    }

    private func applyString(_ arguments: [JSONValue?]) -> JSONValue? {
        var strings: [String] = []
        for (index, argument) in arguments.enumerated() where expectedKind(argument: index) == .string {
            guard case .string(let text)? = argument else { return nil }
            strings.append(text)
        }
        switch self {
        case .concat: return .string(strings.joined())
        case .length: return .number(Double(strings[0].count))
        case .lower: return .string(strings[0].lowercased())
        case .upper: return .string(strings[0].uppercased())
        case .startsWith: return .bool(strings[0].hasPrefix(strings[1]))
        case .endsWith: return .bool(strings[0].hasSuffix(strings[1]))
        case .contains: return .bool(strings[1].isEmpty || strings[0].contains(strings[1]))
        case .indexOf:
            guard !strings[1].isEmpty else { return .number(0) }
            guard let range = strings[0].range(of: strings[1]) else { return .number(-1) }
            return .number(Double(strings[0].distance(from: strings[0].startIndex, to: range.lowerBound)))
        case .substring:
            guard case .number(let start)? = arguments[1], case .number(let length)? = arguments[2],
                  start >= 0, length >= 0, start.rounded() == start, length.rounded() == length
            else { return nil }
            let characters = Array(strings[0])
            // Both numbers may come from a message body (`1e300`, even infinity passes the checks above): they are
            // compared as doubles first, so only values below the text's length are converted.
            let from = start < Double(characters.count) ? Int(start) : characters.count
            let to = min(from + Int(min(length, Double(characters.count))), characters.count)
            return .string(String(characters[from..<to]))
        default: return nil
        }
    }

    private static func finite(_ value: Double) -> JSONValue? {
        value.isFinite ? .number(value) : nil
    }
}
