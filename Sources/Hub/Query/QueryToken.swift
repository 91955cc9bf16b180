/// A lexical token of the SQL-like languages (twin queries and routing conditions), with its 1-based position.
public struct QueryToken: Sendable, Equatable {
    /// What the token is.
    public enum Kind: Sendable, Equatable {
        /// A bare word: keyword, function name or property name (keywords are recognised by the parsers).
        case word(String)
        /// A `$`-prefixed word of the routing language: `$body`, `$twin`, `$iothub-connection-auth-method`.
        case systemWord(String)
        case string(String)
        case number(Double)
        case symbol(Symbol)
        case end
    }

    /// Punctuation and operators.
    public enum Symbol: String, Sendable, Equatable {
        case dot = ".", comma = ",", openParenthesis = "(", closeParenthesis = ")", openBracket = "[", closeBracket = "]"
        case equal = "=", notEqual = "!=", less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">="
        case plus = "+", minus = "-", star = "*", slash = "/", percent = "%"
    }

    /// What the token is.
    public var kind: Kind
    /// 1-based character position in the text.
    public var position: Int

    /// Creates a token.
    public init(kind: Kind, position: Int) {
        self.kind = kind
        self.position = position
    }

    /// Whether this is the keyword `keyword` (ASCII case-insensitive).
    public func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { return word.equalsIgnoringCase(keyword) }
        return false
    }

    /// Whether this is `symbol`.
    public func isSymbol(_ symbol: Symbol) -> Bool {
        if case .symbol(let found) = kind { return found == symbol }
        return false
    }
}

extension String {
    /// ASCII case-insensitive equality, without allocating lower-cased copies.
    public func equalsIgnoringCase(_ other: String) -> Bool {
        utf8.count == other.utf8.count && zip(utf8, other.utf8).allSatisfy { a, b in
            a == b || (a | 0x20 == b | 0x20 && (a | 0x20) >= 0x61 && (a | 0x20) <= 0x7A)
        }
    }
}
