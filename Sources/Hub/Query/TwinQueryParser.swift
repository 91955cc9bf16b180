import Provisioning

/// Recursive-descent parser for IoT Hub queries:
///
///     query      := SELECT [TOP number] selection FROM collection [WHERE condition]
///                   [GROUP BY path (',' path)*] [ORDER BY path [ASC|DESC] (',' path [ASC|DESC])*]
///     selection  := '*' | item (',' item)*
///     item       := (COUNT '(' ')' | path) [AS name]
///     collection := devices | devices.modules | devices.jobs
///     condition  := conjunction (OR conjunction)*
///     conjunction:= negation (AND negation)*
///     negation   := NOT negation | primary
///     primary    := '(' condition ')' | function '(' operand [',' operand] ')'
///                 | operand comparison operand | operand (IN | NIN) '[' literal (',' literal)* ']'
///     operand    := path | string | number | TRUE | FALSE | NULL
///     path       := name ('.' name | '[' string ']')*
struct TwinQueryParser {
    private let tokens: [TwinQueryToken]
    private var index = 0
    private var budget: QueryLimits.Budget

    /// Words that cannot start a path.
    private static let reserved: Set<String> = [
        "select", "from", "where", "and", "or", "not", "true", "false", "null", "is_defined", "in", "nin", "as", "top",
        "group", "order", "by", "asc", "desc", "count",
    ]

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
        var query = TwinQuery()
        if current.isKeyword("TOP") {
            advance()
            guard case .number(let value) = current.kind, value >= 1, value <= 1_000_000, value.rounded() == value else {
                throw failure("TOP takes a whole number from 1 to 1000000, found \(current.display)")
            }
            query.top = Int(value)
            advance()
        }
        let selectionPosition = current.position
        if case .star = current.kind {
            advance()
        } else {
            query.projections = try parseProjections()
        }
        try expectKeyword("FROM")
        query.collection = try parseCollection().rawValue
        if current.isKeyword("WHERE") {
            advance()
            query.condition = try parseCondition()
        }
        if current.isKeyword("GROUP") {
            let groupPosition = current.position
            advance()
            try expectKeyword("BY")
            query.groupBy = [try parsePath()]
            while case .comma = current.kind {
                advance()
                query.groupBy.append(try parsePath())
            }
            guard let projections = query.projections else {
                throw TwinQuerySyntaxError(position: groupPosition, reason: "GROUP BY needs a SELECT list (SELECT * cannot be grouped)")
            }
            for case .path(let path) in projections.map(\.expression) where !query.groupBy.contains(path) {
                throw TwinQuerySyntaxError(position: selectionPosition, reason: "\(path) is selected but not in the GROUP BY list")
            }
        }
        if current.isKeyword("ORDER") {
            let orderPosition = current.position
            advance()
            try expectKeyword("BY")
            query.orderBy = [try parseOrdering()]
            while case .comma = current.kind {
                advance()
                query.orderBy.append(try parseOrdering())
            }
            if query.aggregates {
                throw TwinQuerySyntaxError(position: orderPosition, reason: "ORDER BY is not supported with COUNT() or GROUP BY")
            }
        } else if query.aggregates, let projections = query.projections {
            for case .path(let path) in projections.map(\.expression) where !query.groupBy.contains(path) {
                throw TwinQuerySyntaxError(position: selectionPosition, reason: "\(path) is selected with COUNT() but not in a GROUP BY list")
            }
        }
        guard case .end = current.kind else {
            throw failure("expected \(query.condition == nil ? "WHERE, " : "AND, OR, ")GROUP BY, ORDER BY or the end of the query, found \(current.display)")
        }
        return query
    }

    private mutating func parseProjections() throws(TwinQuerySyntaxError) -> [TwinQuery.Projection] {
        var items = [try parseProjection()]
        while case .comma = current.kind {
            advance()
            items.append(try parseProjection())
        }
        return items
    }

    private mutating func parseProjection() throws(TwinQuerySyntaxError) -> TwinQuery.Projection {
        var item: TwinQuery.Projection
        if current.isKeyword("COUNT") {
            advance()
            try expect(.openParenthesis, "'(' after COUNT")
            try expect(.closeParenthesis, "')': COUNT() takes no argument")
            item = TwinQuery.Projection(.count)
        } else {
            if case .word(let word) = current.kind, case .openParenthesis = peek.kind {
                throw failure("the function \(word) is not supported in a SELECT list (only COUNT() is)")
            }
            item = TwinQuery.Projection(.path(try parsePath()))
        }
        if current.isKeyword("AS") {
            advance()
            guard case .word(let alias) = current.kind else { throw failure("expected a name after AS, found \(current.display)") }
            advance()
            item.alias = alias
        }
        return item
    }

    private mutating func parseCollection() throws(TwinQuerySyntaxError) -> TwinQuery.Collection {
        let position = current.position
        guard case .word(let first) = current.kind, first.equalsIgnoringCase("devices") else {
            throw failure("expected devices, devices.modules or devices.jobs after FROM, found \(current.display)")
        }
        advance()
        guard case .dot = current.kind else { return .devices }
        advance()
        guard case .word(let second) = current.kind else { throw failure("expected modules or jobs after 'devices.', found \(current.display)") }
        advance()
        if second.equalsIgnoringCase("modules") { return .modules }
        if second.equalsIgnoringCase("jobs") { return .jobs }
        throw TwinQuerySyntaxError(position: position, reason: "FROM devices.\(second) is not a collection (devices, devices.modules, devices.jobs)")
    }

    private mutating func parseOrdering() throws(TwinQuerySyntaxError) -> TwinQuery.Ordering {
        var ordering = TwinQuery.Ordering(try parsePath())
        if current.isKeyword("DESC") {
            ordering.descending = true
            advance()
        } else if current.isKeyword("ASC") {
            advance()
        }
        return ordering
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
        if case .word(let word) = current.kind {
            let upper = word.uppercased()
            let known = upper == "IS_DEFINED" || TwinQuery.TypeTest(rawValue: upper) != nil || TwinQuery.ValueTest(rawValue: upper) != nil
            if known || peek.kind == .openParenthesis { return try parseFunction(word) }
        }
        let left = try parseOperand()
        if current.isKeyword("IN") || current.isKeyword("NIN") {
            let negated = current.isKeyword("NIN")
            try countOperator()
            advance()
            return .membership(left, try parseList(), negated: negated)
        }
        guard case .comparison(let comparison) = current.kind else {
            throw failure("expected a comparison operator (=, !=, <>, <, <=, >, >=), IN or NIN, found \(current.display)")
        }
        advance()
        return .compare(left, comparison, try parseOperand())
    }

    private mutating func parseFunction(_ name: String) throws(TwinQuerySyntaxError) -> TwinQuery.Condition {
        let upper = name.uppercased()
        let position = current.position
        advance()
        try expect(.openParenthesis, "'(' after \(upper)")
        let condition: TwinQuery.Condition
        if upper == "IS_DEFINED" {
            let path = try parsePath()
            condition = .isDefined(path)
        } else if let test = TwinQuery.TypeTest(rawValue: upper) {
            condition = .typeTest(test, try parseOperand())
        } else if let test = TwinQuery.ValueTest(rawValue: upper) {
            let first = try parseOperand()
            try expect(.comma, "',': \(upper) takes two arguments")
            condition = .valueTest(test, first, try parseOperand())
        } else {
            throw TwinQuerySyntaxError(position: position, reason: "the function \(name) is not supported")
        }
        try expect(.closeParenthesis, "')' after the \(upper) arguments")
        return condition
    }

    /// `[literal, …]` (or with parentheses) after IN / NIN.
    private mutating func parseList() throws(TwinQuerySyntaxError) -> [JSONValue] {
        let close: TwinQueryToken.Kind
        switch current.kind {
        case .openBracket: close = .closeBracket
        case .openParenthesis: close = .closeParenthesis
        default: throw failure("expected '[' and a list of values, found \(current.display)")
        }
        advance()
        var values: [JSONValue] = []
        while true {
            guard case .literal(let value) = try parseOperand() else {
                throw TwinQuerySyntaxError(position: tokens[max(0, index - 1)].position, reason: "an IN list holds literals only")
            }
            values.append(value)
            guard case .comma = current.kind else { break }
            try countOperator()
            advance()
        }
        try expect(close, close == .closeBracket ? "']'" : "')'")
        return values
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

    private var peek: TwinQueryToken { tokens[min(index + 1, tokens.count - 1)] }

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
