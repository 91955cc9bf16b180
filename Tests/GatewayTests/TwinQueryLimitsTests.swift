import Hub
import Provisioning
import Testing

/// Twin queries reach the hub with the read-only `registryRead` policy: over-limit text is a syntax error naming the
/// limit (the service API answers 400), and what parses evaluates without unbounded recursion.
@Suite struct TwinQueryLimitsTests {
    static let limits = QueryLimits.standard
    static let twin: JSONValue = .object(["deviceId": .string("dev1"), "tags": .object(["a": .number(1)])])

    /// `tags.a=1` and then `count - 1` short terms on an undefined path (short, so the chain fits the length limit).
    static func chain(_ count: Int, _ keyword: String) -> String {
        "SELECT * FROM devices WHERE tags.a=1 " + keyword + " " + (1..<count).map { "x=\($0 % 10)" }.joined(separator: " \(keyword) ")
    }

    @Test func queriesAtTheLimitsParseAndEvaluate() throws {
        let depth = Self.limits.maximumNesting
        let nested = "SELECT * FROM devices WHERE " + String(repeating: "(", count: depth) + "tags.a = 1" + String(repeating: ")", count: depth)
        let nots = "SELECT * FROM devices WHERE " + String(repeating: "NOT ", count: depth - 1) + "NOT tags.a = 2"
        #expect(try TwinQuery(parsing: nested).matches(Self.twin))
        #expect(try TwinQuery(parsing: nots).matches(Self.twin) == (depth % 2 == 1))
        #expect(try TwinQuery(parsing: Self.chain(Self.limits.maximumOperators + 1, "OR")).matches(Self.twin))
        #expect(try !TwinQuery(parsing: Self.chain(Self.limits.maximumOperators + 1, "AND")).matches(Self.twin))
    }

    static let overLimitQueries: [(String, String)] = {
        let prefix = "SELECT * FROM devices WHERE ", nesting = "nest deeper than 32 levels", length = "longer than 8192 characters"
        var cases: [(String, String)] = []
        cases.append((prefix + String(repeating: "(", count: 33) + "tags.a = 1" + String(repeating: ")", count: 33), nesting))
        cases.append((prefix + String(repeating: "(", count: 5000), nesting))
        cases.append((prefix + String(repeating: "NOT ", count: 33) + "tags.a = 1", nesting))
        cases.append((chain(514, "AND"), "more than 512 operators"))
        cases.append((chain(514, "OR"), "more than 512 operators"))
        cases.append((prefix + String(repeating: "NOT ", count: 3000) + "tags.a = 1", length))
        cases.append((prefix + String(repeating: "(", count: 20_000), length))
        return cases
    }()

    @Test(arguments: overLimitQueries)
    func overLimitQueriesAreSyntaxErrors(text: String, reason: String) {
        let error = #expect(throws: TwinQuerySyntaxError.self) { try TwinQuery(parsing: text) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test func limitsCanBeNarrowed() {
        let narrow = QueryLimits(maximumLength: 40, maximumNesting: 1, maximumOperators: 1)
        #expect(throws: TwinQuerySyntaxError.self) { try TwinQuery(parsing: "SELECT * FROM devices WHERE ((tags.a = 1))", limits: narrow) }
        #expect(throws: TwinQuerySyntaxError.self) { try TwinQuery(parsing: "SELECT * FROM devices WHERE a=1 OR b=1 OR c=1", limits: narrow) }
        #expect(throws: TwinQuerySyntaxError.self) { try TwinQuery(parsing: "SELECT * FROM devices WHERE tags.abcdefghijklmnop = 1", limits: narrow) }
    }
}
