import Routing
import Testing

/// Parsing: what compiles, and where and why what does not.
@Suite("Routing condition parsing")
struct RoutingConditionParsingTests {
    @Test("valid conditions compile", arguments: [
        "true", "", "   ", "false", "$body.temperature > 30", "$contentType = 'application/json' AND $body.a.b[0] = 1",
        "processingPath = 'hot'", "NOT IS_DEFINED($connectionModuleId)", "(a = 'x' OR b = 'y') AND NOT c = 'z'",
        "$body.x + 2 * 3 >= 10 % 4", "-$body.x < -1.5e2", "LENGTH(LOWER($messageId)) > 3", "STARTS_WITH($connectionDeviceId, 'dev')",
        "$twin.tags.location.region = 'US'", "$twin.properties.desired.telemetryConfig.sendFrequency = '5m'",
        "$twin.properties.reported.battery.level < 20", "$body['weird key'] = 1", "$iothub-connection-auth-method = 'sas'",
        "a <> 'b'", "a == 'b'", "$body.x = null", "CONCAT($messageId, '-', $correlationId) = 'a-b'", "SUBSTRING('abc', 0, 1) = 'a'",
        "is_string($body.x)", "$body.x > .5",
    ])
    func compiles(_ text: String) throws {
        _ = try RoutingCondition(text)
    }

    @Test("syntax errors carry the position and the reason", arguments: [
        ("$body.temperature >", 20, "expected a value, found the end of the condition"),
        ("a = 'b' AND", 12, "expected a value"),
        ("a = 'unterminated", 5, "not closed"),
        ("(a = 'b'", 9, "expected ')'"),
        ("a = 'b' c = 'd'", 9, "expected AND, OR"),
        ("a ! 'b'", 3, "'!' must be followed by '='"),
        ("a = #", 5, "unexpected character '#'"),
        ("FOO($body.x)", 1, "unknown function FOO"),
        ("STARTS_WITH('a')", 1, "takes 2 argument(s), not 1"),
        ("$nope = 'x'", 1, "unknown system property $nope"),
        ("$twin.nothing.x = 1", 7, "$twin paths start with tags"),
        ("$twin.properties.other.x = 1", 18, "$twin paths start with tags"),
        ("$body. = 1", 7, "expected a member name"),
        ("$body[x] = 1", 7, "expected a quoted name or an array index"),
        ("$contentType = 5", 14, "compares a string with a number"),
        ("temperature > 30", 13, "properties are strings"),
        ("$body.x + 'a' > 1", 11, "needs numbers"),
        ("LOWER(5) = 'a'", 7, "argument 1 of LOWER must be a string"),
        ("$body.x AND 5", 13, "must be a boolean expression"),
        ("5", 1, "a condition must be a boolean expression, not a number"),
        ("true > false", 6, "orders numbers or strings"),
        ("12abc = 1", 1, "malformed number"),
        ("AND = 1", 1, "expected a value, found the keyword AND"),
    ])
    func rejects(_ text: String, _ position: Int, _ reason: String) {
        #expect {
            _ = try RoutingCondition(text)
        } throws: { error in
            guard let error = error as? RoutingQuerySyntaxError else { return false }
            return error.position == position && error.reason.contains(reason)
        }
    }

    @Test("the description says where")
    func description() {
        let error = RoutingQuerySyntaxError(position: 7, reason: "expected a value")
        #expect(error.description == "position 7: expected a value")
    }

    @Test("twin references are known before evaluation")
    func twinReference() throws {
        #expect(try RoutingCondition("$twin.tags.a = 'b'").referencesTwin)
        #expect(try RoutingCondition("NOT ($body.x = 1 OR IS_DEFINED($twin.properties.reported.y))").referencesTwin)
        #expect(try !RoutingCondition("$body.x = 1").referencesTwin)
    }
}
