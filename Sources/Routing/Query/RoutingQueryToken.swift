import Hub

/// A lexical token of the routing query language: the shared `QueryToken` of both SQL-like languages.
typealias RoutingQueryToken = QueryToken

extension QueryToken {
    /// How the token reads in a routing error message.
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
}
