import Provisioning

/// Recursive-descent parser for `SELECT * FROM devices [WHERE condition]`:
///
///     condition  := conjunction (OR conjunction)*
///     conjunction:= negation (AND negation)*
///     negation   := NOT negation | primary
///     primary    := '(' condition ')' | IS_DEFINED '(' path ')' | operand comparison operand
///     operand    := path | string | number | TRUE | FALSE | NULL
///     path       := name ('.' name | '[' string ']')*
struct TwinQueryParser {
    private let tokens: [TwinQueryToken]
    private var index = 0
    private var budget: QueryLimits.Budget

    /// Words that cannot start a path.
    private static let reserved: Set<String> = ["select", "from", "where", "and", "or", "not", "true", "false", "null", "is_defined"]

    init(_ text: String, limits: QueryLimits = .standard) throws(TwinQuerySyntaxError) {
        do throws(QueryLimits.Exceeded) {
            try limits.checkLength(of: text)
        } catch {
            throw TwinQuerySyntaxError(position: error.position, reason: error.reason)
        }
        tokens = try TwinQueryLexer.tokens(text)
        budget = QueryLimits.Budget(limits)
    }

    mutating func parseQuery() throws(TwinQuerySyntaxError) -> TwinQuery {
        try expectKeyword("SELECT")
        guard case .star = current.kind else {
            throw failure("only SELECT * is supported, found \(current.display)")
        }
        advance()
        try expectKeyword("FROM")
        guard case .word(let collection) = current.kind, collection.lowercased() == "devices" else {
            throw failure("only FROM devices is supported, found \(current.display)")
        }
        advance()
        var query = TwinQuery(collection: "devices")
        if current.isKeyword("WHERE") {
            advance()
            query.condition = try parseCondition()
        }
        guard case .end = current.kind else {
            throw failure("expected \(query.condition == nil ? "WHERE or " : "AND, OR or ")the end of the query, found \(current.display)")
        }
        return query
    }

    private mutating func parseCondition() throws(TwinQuerySyntaxError) -> TwinQuery.Condition {
        var condition = try parseConjunction()
        while current.isKeyword("OR") {
            try countOperator()
            advance()
            condition = .or(condition, try parseConjunction())
        }
        return condition
    }

    private mutating func parseConjunction() throws(TwinQuerySyntaxError) -> TwinQuery.Condition {
        var condition = try parseNegation()
        while current.isKeyword("AND") {
            try countOperator()
            advance()
            condition = .and(condition, try parseNegation())
        }
        return condition
    }

    private mutating func parseNegation() throws(TwinQuerySyntaxError) -> TwinQuery.Condition {
        if current.isKeyword("NOT") {
            try countOperator()
            try enter()
            defer { budget.leave() }
            advance()
            return .not(try parseNegation())
        }
        return try parsePrimary()
    }

    private mutating func parsePrimary() throws(TwinQuerySyntaxError) -> TwinQuery.Condition {
        if case .openParenthesis = current.kind {
            try enter()
            defer { budget.leave() }
            advance()
            let condition = try parseCondition()
            try expect(.closeParenthesis, "')'")
            return condition
        }
        if current.isKeyword("IS_DEFINED") {
            advance()
            try expect(.openParenthesis, "'(' after IS_DEFINED")
            let path = try parsePath()
            try expect(.closeParenthesis, "')' after the IS_DEFINED path")
            return .isDefined(path)
        }
        let left = try parseOperand()
        guard case .comparison(let comparison) = current.kind else {
            throw failure("expected a comparison operator (=, !=, <>, <, <=, >, >=), found \(current.display)")
        }
        advance()
        return .compare(left, comparison, try parseOperand())
    }

    private mutating func parseOperand() throws(TwinQuerySyntaxError) -> TwinQuery.Operand {
        switch current.kind {
        case .string(let text):
            advance()
            return .literal(.string(text))
        case .number(let value):
            advance()
            return .literal(.number(value))
        case .word(let word):
            switch word.lowercased() {
            case "true":
                advance()
                return .literal(.bool(true))
            case "false":
                advance()
                return .literal(.bool(false))
            case "null":
                advance()
                return .literal(.null)
            default:
                return .path(try parsePath())
            }
        default:
            throw failure("expected a property path or a literal, found \(current.display)")
        }
    }

    private mutating func parsePath() throws(TwinQuerySyntaxError) -> TwinQuery.Path {
        guard case .word(let first) = current.kind, !Self.reserved.contains(first.lowercased()) else {
            throw failure("expected a property path, found \(current.display)")
        }
        advance()
        var segments = [first]
        while true {
            switch current.kind {
            case .dot:
                advance()
                // After a dot any word is a member name, keywords included (`tags.from`).
                guard case .word(let name) = current.kind else { throw failure("expected a member name after '.', found \(current.display)") }
                advance()
                segments.append(name)
            case .openBracket:
                advance()
                guard case .string(let name) = current.kind else {
                    throw failure("expected a quoted member name after '[', found \(current.display)")
                }
                advance()
                try expect(.closeBracket, "']'")
                segments.append(name)
            default:
                return TwinQuery.Path(segments)
            }
        }
    }

    private var current: TwinQueryToken { tokens[index] }

    /// Counts the operator at the current token against `QueryLimits.maximumOperators`.
    private mutating func countOperator() throws(TwinQuerySyntaxError) {
        do throws(QueryLimits.Exceeded) {
            try budget.countOperator(at: current.position)
        } catch {
            throw TwinQuerySyntaxError(position: error.position, reason: error.reason)
        }
    }

    /// Enters the nesting level the current token opens, within `QueryLimits.maximumNesting`.
    private mutating func enter() throws(TwinQuerySyntaxError) {
        do throws(QueryLimits.Exceeded) {
            try budget.enter(at: current.position)
        } catch {
            throw TwinQuerySyntaxError(position: error.position, reason: error.reason)
        }
    }

    private mutating func advance() {
        if index < tokens.count - 1 { index += 1 }
    }

    private mutating func expectKeyword(_ keyword: String) throws(TwinQuerySyntaxError) {
        guard current.isKeyword(keyword) else { throw failure("expected \(keyword), found \(current.display)") }
        advance()
    }

    private mutating func expect(_ kind: TwinQueryToken.Kind, _ what: String) throws(TwinQuerySyntaxError) {
        guard current.kind == kind else { throw failure("expected \(what), found \(current.display)") }
        advance()
    }

    private func failure(_ reason: String) -> TwinQuerySyntaxError {
        TwinQuerySyntaxError(position: current.position, reason: reason)
    }
}
