import Hub
import Provisioning

/// A recursive-descent parser for routing conditions. Precedence, lowest first: `OR`, `AND`, `NOT`, comparisons,
/// `+ -`, `* / %`, unary `- +`. Besides syntax it checks what can be known before a message arrives: system
/// property and twin names, function names and arities, and operand types where they are fixed.
struct RoutingQueryParser {
    private let tokens: [RoutingQueryToken]
    private var index = 0
    private var budget: QueryLimits.Budget

    /// Parses a whole condition; text over `limits` (length, nesting, operators) is a syntax error naming the limit.
    static func parse(_ text: String, limits: QueryLimits = .standard) throws(RoutingQuerySyntaxError) -> RoutingExpression {
        var parser = try RoutingQueryParser(text, limits: limits)
        guard !parser.isAtEnd else { throw RoutingQuerySyntaxError(position: 1, reason: "the condition is empty") }
        let (expression, position) = try parser.parseOr()
        guard parser.isAtEnd else {
            throw RoutingQuerySyntaxError(position: parser.current.position,
                                          reason: "expected AND, OR or the end of the condition, found \(parser.current.display)")
        }
        try Self.require(expression, position: position, toBe: .boolean, context: "a condition")
        return expression
    }

    /// Parses a value expression (no boolean requirement), e.g. an enrichment path.
    static func parseValue(_ text: String, limits: QueryLimits = .standard) throws(RoutingQuerySyntaxError) -> RoutingExpression {
        var parser = try RoutingQueryParser(text, limits: limits)
        let (expression, _) = try parser.parseOr()
        guard parser.isAtEnd else {
            throw RoutingQuerySyntaxError(position: parser.current.position, reason: "unexpected \(parser.current.display)")
        }
        return expression
    }

    private init(_ text: String, limits: QueryLimits) throws(RoutingQuerySyntaxError) {
        do throws(QueryLimits.Exceeded) {
            try limits.checkLength(of: text)
        } catch {
            throw RoutingQuerySyntaxError(position: error.position, reason: error.reason)
        }
        do {
            tokens = try QueryLexer(.routingCondition).tokens(text)
        } catch {
            throw RoutingQuerySyntaxError(position: error.position, reason: error.reason)
        }
        budget = QueryLimits.Budget(limits)
    }

    /// Counts the operator at the current token against `QueryLimits.maximumOperators`.
    private mutating func countOperator() throws(RoutingQuerySyntaxError) {
        do throws(QueryLimits.Exceeded) {
            try budget.countOperator(at: current.position)
        } catch {
            throw RoutingQuerySyntaxError(position: error.position, reason: error.reason)
        }
    }

    /// Enters the nesting level the token at `position` opens, within `QueryLimits.maximumNesting`.
    private mutating func enter(at position: Int) throws(RoutingQuerySyntaxError) {
        do throws(QueryLimits.Exceeded) {
            try budget.enter(at: position)
        } catch {
            throw RoutingQuerySyntaxError(position: error.position, reason: error.reason)
        }
    }

    private var current: RoutingQueryToken { tokens[index] }
    private var isAtEnd: Bool { current.kind == .end }

    private mutating func advance() -> RoutingQueryToken {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private typealias Parsed = (RoutingExpression, Int)

    private mutating func parseOr() throws(RoutingQuerySyntaxError) -> Parsed {
        var (left, position) = try parseAnd()
        while current.isKeyword("OR") {
            try countOperator()
            _ = advance()
            let (right, rightPosition) = try parseAnd()
            try Self.require(left, position: position, toBe: .boolean, context: "an OR operand")
            try Self.require(right, position: rightPosition, toBe: .boolean, context: "an OR operand")
            left = .binary(.or, left, right)
        }
        return (left, position)
    }

    private mutating func parseAnd() throws(RoutingQuerySyntaxError) -> Parsed {
        var (left, position) = try parseNot()
        while current.isKeyword("AND") {
            try countOperator()
            _ = advance()
            let (right, rightPosition) = try parseNot()
            try Self.require(left, position: position, toBe: .boolean, context: "an AND operand")
            try Self.require(right, position: rightPosition, toBe: .boolean, context: "an AND operand")
            left = .binary(.and, left, right)
        }
        return (left, position)
    }

    private mutating func parseNot() throws(RoutingQuerySyntaxError) -> Parsed {
        guard current.isKeyword("NOT") else { return try parseComparison() }
        try countOperator()
        try enter(at: current.position)
        defer { budget.leave() }
        let position = advance().position
        let (operand, operandPosition) = try parseNot()
        try Self.require(operand, position: operandPosition, toBe: .boolean, context: "the operand of NOT")
        return (.unary(.not, operand), position)
    }

    private mutating func parseComparison() throws(RoutingQuerySyntaxError) -> Parsed {
        let (left, position) = try parseAdditive()
        guard case .symbol(let symbol) = current.kind, let op = Self.comparison(symbol) else { return (left, position) }
        let operatorPosition = advance().position
        let (right, _) = try parseAdditive()
        let kinds = (left.staticKind, right.staticKind)
        if kinds.0 != .any, kinds.1 != .any, kinds.0 != kinds.1, kinds.0 != .null, kinds.1 != .null {
            throw RoutingQuerySyntaxError(position: operatorPosition, reason:
                "'\(op.rawValue)' compares a \(kinds.0.rawValue) with a \(kinds.1.rawValue), which is never true"
                + (Self.isProperty(left) || Self.isProperty(right) ? " (system and application properties are strings)" : ""))
        }
        if op != .equal, op != .notEqual {
            for (kind, side) in [(kinds.0, "left"), (kinds.1, "right")] where kind == .boolean || kind == .null {
                throw RoutingQuerySyntaxError(position: operatorPosition,
                                              reason: "'\(op.rawValue)' orders numbers or strings; its \(side) side is a \(kind.rawValue)")
            }
        }
        return (.binary(op, left, right), position)
    }

    private mutating func parseAdditive() throws(RoutingQuerySyntaxError) -> Parsed {
        var (left, position) = try parseMultiplicative()
        while case .symbol(let symbol) = current.kind, symbol == .plus || symbol == .minus {
            try countOperator()
            let operatorPosition = advance().position
            let (right, rightPosition) = try parseMultiplicative()
            try Self.requireNumber(left, position: position, operatorPosition: operatorPosition, symbol: symbol)
            try Self.requireNumber(right, position: rightPosition, operatorPosition: operatorPosition, symbol: symbol)
            left = .binary(symbol == .plus ? .add : .subtract, left, right)
        }
        return (left, position)
    }

    private mutating func parseMultiplicative() throws(RoutingQuerySyntaxError) -> Parsed {
        var (left, position) = try parseUnary()
        while case .symbol(let symbol) = current.kind, symbol == .star || symbol == .slash || symbol == .percent {
            try countOperator()
            let operatorPosition = advance().position
            let (right, rightPosition) = try parseUnary()
            try Self.requireNumber(left, position: position, operatorPosition: operatorPosition, symbol: symbol)
            try Self.requireNumber(right, position: rightPosition, operatorPosition: operatorPosition, symbol: symbol)
            left = .binary(symbol == .star ? .multiply : (symbol == .slash ? .divide : .modulo), left, right)
        }
        return (left, position)
    }

    private mutating func parseUnary() throws(RoutingQuerySyntaxError) -> Parsed {
        guard case .symbol(let symbol) = current.kind, symbol == .minus || symbol == .plus else { return try parsePrimary() }
        try countOperator()
        try enter(at: current.position)
        defer { budget.leave() }
        let position = advance().position
        let (operand, operandPosition) = try parseUnary()
        try Self.requireNumber(operand, position: operandPosition, operatorPosition: position, symbol: symbol)
        if case .literal(.number(let value)) = operand { return (.literal(.number(symbol == .minus ? -value : value)), position) }
        return (.unary(symbol == .minus ? .negate : .plus, operand), position)
    }

    private mutating func parsePrimary() throws(RoutingQuerySyntaxError) -> Parsed {
        let token = advance()
        switch token.kind {
        case .number(let value):
            return (.literal(.number(value)), token.position)
        case .string(let text):
            return (.literal(.string(text)), token.position)
        case .symbol(.openParenthesis):
            try enter(at: token.position)
            defer { budget.leave() }
            let (inner, _) = try parseOr()
            try expect(.closeParenthesis, "to close the '(' at position \(token.position)")
            return (inner, token.position)
        case .systemWord(let name):
            return (try systemReference(name, at: token.position), token.position)
        case .word(let word):
            if word.equalsIgnoringCase("true") { return (.literal(.bool(true)), token.position) }
            if word.equalsIgnoringCase("false") { return (.literal(.bool(false)), token.position) }
            if word.equalsIgnoringCase("null") { return (.literal(.null), token.position) }
            if current.isSymbol(.openParenthesis) { return (try call(word, at: token.position), token.position) }
            if ["AND", "OR", "NOT"].contains(where: { word.equalsIgnoringCase($0) }) {
                throw RoutingQuerySyntaxError(position: token.position, reason: "expected a value, found the keyword \(word.uppercased())")
            }
            var name = word
            // Application property names may be dotted (`sensor.kind`); they are flat keys of the property bag.
            while current.isSymbol(.dot), case .word(let part) = tokens[index + 1].kind {
                index += 2
                name += "." + part
            }
            return (.applicationProperty(name), token.position)
        case .end:
            throw RoutingQuerySyntaxError(position: token.position, reason: "expected a value, found the end of the condition")
        default:
            throw RoutingQuerySyntaxError(position: token.position, reason: "expected a value, found \(token.display)")
        }
    }

    private mutating func call(_ name: String, at position: Int) throws(RoutingQuerySyntaxError) -> RoutingExpression {
        guard let function = RoutingFunction(name: name) else {
            throw RoutingQuerySyntaxError(position: position, reason: "unknown function \(name)")
        }
        try enter(at: current.position)
        defer { budget.leave() }
        _ = advance()
        var arguments: [(RoutingExpression, Int)] = []
        if !current.isSymbol(.closeParenthesis) {
            repeat {
                if !arguments.isEmpty { _ = advance() }
                arguments.append(try parseOr())
            } while current.isSymbol(.comma)
        }
        try expect(.closeParenthesis, "after the arguments of \(function.rawValue)")
        guard function.arity.contains(arguments.count) else {
            let expected = function.arity.count == 1 ? "\(function.arity.lowerBound)" : "\(function.arity.lowerBound)–\(function.arity.upperBound)"
            throw RoutingQuerySyntaxError(position: position,
                                          reason: "\(function.rawValue) takes \(expected) argument(s), not \(arguments.count)")
        }
        for (offset, (argument, argumentPosition)) in arguments.enumerated() {
            guard let expected = function.expectedKind(argument: offset) else { continue }
            let kind = argument.staticKind
            if kind != .any, kind != expected {
                throw RoutingQuerySyntaxError(position: argumentPosition,
                                              reason: "argument \(offset + 1) of \(function.rawValue) must be a \(expected.rawValue), not a \(kind.rawValue)")
            }
        }
        return .call(function, arguments.map(\.0))
    }

    private mutating func systemReference(_ name: String, at position: Int) throws(RoutingQuerySyntaxError) -> RoutingExpression {
        let lowered = name.lowercased()
        if lowered == "$body" {
            return .body(try path())
        }
        if lowered == "$twin" {
            let sectionPosition = current.position
            guard current.isSymbol(.dot), case .word(let first) = tokens[index + 1].kind else {
                throw RoutingQuerySyntaxError(position: sectionPosition, reason: "$twin must be followed by .tags or .properties.desired/.reported")
            }
            index += 2
            if first == "tags" { return .twin(.tags, try path()) }
            let reason = "$twin paths start with tags, properties.desired or properties.reported"
            guard first == "properties" else { throw RoutingQuerySyntaxError(position: sectionPosition + 1, reason: reason) }
            guard current.isSymbol(.dot), case .word(let second) = tokens[index + 1].kind,
                  let section = RoutingExpression.TwinSection(rawValue: second), section != .tags
            else {
                throw RoutingQuerySyntaxError(position: current.isSymbol(.dot) ? tokens[index + 1].position : current.position, reason: reason)
            }
            index += 2
            return .twin(section, try path())
        }
        guard let property = RoutingSystemProperty.serviceName(for: name) else {
            throw RoutingQuerySyntaxError(position: position, reason: "unknown system property \(name); known: \(RoutingSystemProperty.documentedNames)")
        }
        return .systemProperty(property)
    }

    /// `.name`, `['name']` and `[index]` steps.
    private mutating func path() throws(RoutingQuerySyntaxError) -> [RoutingExpression.PathComponent] {
        var components: [RoutingExpression.PathComponent] = []
        while true {
            if current.isSymbol(.dot) {
                let dot = advance()
                switch current.kind {
                case .word(let name), .systemWord(let name):
                    _ = advance()
                    components.append(.member(name))
                default:
                    throw RoutingQuerySyntaxError(position: dot.position + 1, reason: "expected a member name after '.', found \(current.display)")
                }
            } else if current.isSymbol(.openBracket) {
                let open = advance()
                switch current.kind {
                case .string(let name):
                    components.append(.member(name))
                case .number(let value) where value >= 0 && value.rounded() == value && value < 1e9:
                    components.append(.index(Int(value)))
                default:
                    throw RoutingQuerySyntaxError(position: current.position, reason: "expected a quoted name or an array index after '['")
                }
                _ = advance()
                try expect(.closeBracket, "to close the '[' at position \(open.position)")
            } else {
                return components
            }
        }
    }

    private mutating func expect(_ symbol: RoutingQueryToken.Symbol, _ purpose: String) throws(RoutingQuerySyntaxError) {
        guard current.isSymbol(symbol) else {
            throw RoutingQuerySyntaxError(position: current.position, reason: "expected '\(symbol.rawValue)' \(purpose), found \(current.display)")
        }
        _ = advance()
    }

    private static func comparison(_ symbol: RoutingQueryToken.Symbol) -> RoutingExpression.BinaryOperator? {
        switch symbol {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessOrEqual: .lessOrEqual
        case .greater: .greater
        case .greaterOrEqual: .greaterOrEqual
        default: nil
        }
    }

    private static func isProperty(_ expression: RoutingExpression) -> Bool {
        switch expression {
        case .systemProperty, .applicationProperty: true
        default: false
        }
    }

    private static func require(_ expression: RoutingExpression, position: Int, toBe kind: RoutingExpression.StaticKind,
                                context: String) throws(RoutingQuerySyntaxError) {
        let found = expression.staticKind
        guard found != .any, found != kind else { return }
        throw RoutingQuerySyntaxError(position: position, reason: "\(context) must be a \(kind.rawValue) expression, not a \(found.rawValue)")
    }

    private static func requireNumber(_ expression: RoutingExpression, position: Int, operatorPosition: Int,
                                      symbol: RoutingQueryToken.Symbol) throws(RoutingQuerySyntaxError) {
        let found = expression.staticKind
        guard found != .any, found != .number else { return }
        throw RoutingQuerySyntaxError(position: position,
                                      reason: "'\(symbol.rawValue)' at position \(operatorPosition) needs numbers, not a \(found.rawValue)")
    }
}
