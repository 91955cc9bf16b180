/// A lexical token of the routing query language, with its 1-based position.
struct RoutingQueryToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A bare word: keyword, function name or property name (keywords are recognised by the parser).
        case word(String)
        /// A `$`-prefixed word: `$body`, `$twin`, `$contentType`, `$iothub-connection-auth-method`.
        case systemWord(String)
        case string(String)
        case number(Double)
        case symbol(Symbol)
        case end
    }

    /// Punctuation and operators.
    enum Symbol: String, Sendable, Equatable {
        case dot = ".", comma = ",", openParenthesis = "(", closeParenthesis = ")", openBracket = "[", closeBracket = "]"
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    }

    var kind: Kind
    var position: Int

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .word(let word): "'\(word)'"
        case .systemWord(let word): "'\(word)'"
        case .string(let text): "string '\(text)'"
        case .number(let value): "number \(RoutingValueText.number(value))"
        case .symbol(let symbol): "'\(symbol.rawValue)'"
        case .end: "the end of the condition"
        }
    }

    /// Whether this is the keyword `keyword` (case-insensitive).
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { return word.equalsIgnoringCase(keyword) }
        return false
    }

    /// Whether this is `symbol`.
    func isSymbol(_ symbol: Symbol) -> Bool {
        if case .symbol(let found) = kind { return found == symbol }
        return false
    }
}

extension String {
    /// ASCII case-insensitive equality, without allocating lower-cased copies.
    func equalsIgnoringCase(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }
}
