import Hub
import Testing

/// The one scanner behind both SQL-like languages: the rules they share, and the few their dialects set apart.
@Suite struct QueryLexerTests {
    static func kinds(_ text: String, _ dialect: QueryLexer.Dialect) throws -> [QueryToken.Kind] {
        try QueryLexer(dialect).tokens(text).map(\.kind)
    }

    @Test func sharedRulesReadTheSameInBothDialects() throws {
        let text = "a.b <> 'x\\'y' AND c >= 1.5e3 OR d != \"z\""
        let expected: [QueryToken.Kind] = [
            .word("a"), .symbol(.dot), .word("b"), .symbol(.notEqual), .string("x'y"), .word("AND"), .word("c"),
            .symbol(.greaterOrEqual), .number(1500), .word("OR"), .word("d"), .symbol(.notEqual), .string("z"), .end,
        ]
        #expect(try Self.kinds(text, .twinQuery) == expected)
        #expect(try Self.kinds(text, .routingCondition) == expected)
    }

    @Test func twinDialectReadsSignedNumbersAndDollarWords() throws {
        #expect(try Self.kinds("$version = -5", .twinQuery) == [.word("$version"), .symbol(.equal), .number(-5), .end])
        #expect(throws: QueryLexer.Failure.self) { try QueryLexer(.twinQuery).tokens("a + 1") }
        #expect(throws: QueryLexer.Failure.self) { try QueryLexer(.twinQuery).tokens("a - b") }
    }

    @Test func routingDialectReadsArithmeticSystemWordsAndLeadingDots() throws {
        #expect(try Self.kinds("$iothub-connection-auth-method == .5 - -1", .routingCondition) == [
            .systemWord("$iothub-connection-auth-method"), .symbol(.equal), .number(0.5), .symbol(.minus), .symbol(.minus), .number(1), .end,
        ])
        #expect(try Self.kinds("a.b[0].c", .routingCondition) == [
            .word("a"), .symbol(.dot), .word("b"), .symbol(.openBracket), .number(0), .symbol(.closeBracket), .symbol(.dot), .word("c"), .end,
        ])
    }

    @Test func failuresNameTheirPosition() {
        #expect(throws: QueryLexer.Failure(position: 3, reason: "'!' must be followed by '=' (use NOT for negation)")) {
            try QueryLexer(.routingCondition).tokens("a !b")
        }
        #expect(throws: QueryLexer.Failure(position: 5, reason: "the string starting here is not closed")) {
            try QueryLexer(.twinQuery).tokens("a = 'open")
        }
        #expect(throws: QueryLexer.Failure(position: 1, reason: "malformed number")) {
            try QueryLexer(.twinQuery).tokens("12ab")
        }
    }
}
