/// A lexical token of the twin query language, with its 1-based position.
struct TwinQueryToken: Sendable, Equatable {
    enum Kind: Sendable, Equatable {
        /// A bare word: keyword or member name (keywords are recognised by the parser, case-insensitively).
        case word(String)
        case string(String)
        case number(Double)
        /// `=`, `!=`, `<>`, `<`, `<=`, `>`, `>=`.
        case comparison(TwinQuery.Comparison)
        case star, dot, comma, openParenthesis, closeParenthesis, openBracket, closeBracket
        case end
    }

    var kind: Kind
    var position: Int

    /// How the token reads in an error message.
    var display: String {
        switch kind {
        case .word(let word): "'\(word)'"
        case .string(let text): "string '\(text)'"
        case .number(let value): "number \(value)"
        case .comparison(let comparison): "'\(comparison == .notEqual ? "!=" : comparison.rawValue)'"
        case .star: "'*'"
        case .dot: "'.'"
        case .comma: "','"
        case .openParenthesis: "'('"
        case .closeParenthesis: "')'"
        case .openBracket: "'['"
        case .closeBracket: "']'"
        case .end: "the end of the query"
        }
    }

    /// Whether this is the keyword `keyword` (case-insensitive).
    func isKeyword(_ keyword: String) -> Bool {
        if case .word(let word) = kind { return word.equalsIgnoringCase(keyword) }
        return false
    }
}
