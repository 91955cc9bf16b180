/// Splits twin query text into the twin parser's tokens: the shared `QueryLexer` in its twin dialect, with the
/// comparison operators and punctuation the twin language has mapped to its own token kinds.
enum TwinQueryLexer {
    static func tokens(_ text: String) throws(TwinQuerySyntaxError) -> [TwinQueryToken] {
        let tokens: [QueryToken]
        do {
            tokens = try QueryLexer(.twinQuery).tokens(text)
        } catch {
            throw TwinQuerySyntaxError(position: error.position, reason: error.reason)
        }
        var result: [TwinQueryToken] = []
        result.reserveCapacity(tokens.count)
        for token in tokens {
            result.append(TwinQueryToken(kind: try kind(of: token), position: token.position))
        }
        return result
    }

    private static func kind(of token: QueryToken) throws(TwinQuerySyntaxError) -> TwinQueryToken.Kind {
        switch token.kind {
        case .word(let word): return .word(word)
        case .string(let text): return .string(text)
        case .number(let value): return .number(value)
        case .end: return .end
        case .systemWord(let word): return .word(word)
        case .symbol(let symbol):
            switch symbol {
            case .equal: return .comparison(.equal)
            case .notEqual: return .comparison(.notEqual)
            case .less: return .comparison(.less)
            case .lessOrEqual: return .comparison(.lessOrEqual)
            case .greater: return .comparison(.greater)
            case .greaterOrEqual: return .comparison(.greaterOrEqual)
            case .star: return .star
            case .dot: return .dot
            case .comma: return .comma
            case .openParenthesis: return .openParenthesis
            case .closeParenthesis: return .closeParenthesis
            case .openBracket: return .openBracket
            case .closeBracket: return .closeBracket
            case .plus, .minus, .slash, .percent:
                // The twin dialect does not produce arithmetic operators; refuse them like any stray character.
                throw TwinQuerySyntaxError(position: token.position, reason: "unexpected character '\(symbol.rawValue)'")
            }
        }
    }
}
