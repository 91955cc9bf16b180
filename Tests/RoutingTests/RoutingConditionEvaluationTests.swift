import Hub
import Provisioning
import Routing
import Testing

/// Evaluation of every operator and function over system and application properties, JSON bodies and twins.
@Suite("Routing condition evaluation")
struct RoutingConditionEvaluationTests {
    private func matches(_ condition: String, _ message: RoutingMessage = RoutingFixtures.message(),
                         twin: DeviceTwin? = RoutingFixtures.twin) throws -> Bool {
        try RoutingCondition(condition).matches(message, twin: twin)
    }

    private func value(_ condition: String, _ message: RoutingMessage = RoutingFixtures.message()) throws -> JSONValue? {
        try RoutingCondition(condition).value(for: message, twin: RoutingFixtures.twin)
    }

    @Test("system properties by their query names")
    func systemProperties() throws {
        let message = RoutingFixtures.message(moduleId: "mod-1", extraSystem: ["user-id": "u1", "to": "/devices/x"])
        #expect(try matches("$contentType = 'application/json'", message))
        #expect(try matches("$contentEncoding = 'utf-8'", message))
        #expect(try matches("$connectionDeviceId = 'dev-1'", message))
        #expect(try matches("$connectionModuleId = 'mod-1'", message))
        #expect(try matches("$messageId = 'mid-1'", message))
        #expect(try matches("$correlationId = 'cid-1'", message))
        #expect(try matches("$userId = 'u1' AND $to = '/devices/x'", message))
        #expect(try matches("$iothub-connection-auth-method = 'sas'", message))
        #expect(try matches("$CONTENTTYPE = 'application/json'", message), "system names are case-insensitive")
        #expect(try !matches("$connectionModuleId = 'mod-1'"), "absent is undefined, never equal")
        #expect(try !matches("$connectionModuleId != 'mod-1'"), "absent is undefined, never unequal either")
    }

    @Test("application properties are strings")
    func applicationProperties() throws {
        let message = RoutingFixtures.message(properties: ["processingPath": "hot", "level": "30", "sensor.kind": "t"])
        #expect(try matches("processingPath = 'hot'", message))
        #expect(try !matches("processingPath = 'cold'", message))
        #expect(try matches("level = '30'", message))
        #expect(try matches("sensor.kind = 't'", message))
        #expect(try !matches("missing = 'x'", message))
        #expect(try matches("NOT IS_DEFINED(missing)", message))
    }

    @Test("$body paths into JSON bodies")
    func body() throws {
        #expect(try matches("$body.temperature > 30"))
        #expect(try !matches("$body.temperature > 40"))
        #expect(try matches("$body.weather.sky = 'clear' AND $body.weather.wind = 12"))
        #expect(try matches("$body.readings[1] = 2"))
        #expect(try !matches("$body.readings[7] = 2"))
        #expect(try matches("IS_OBJECT($body.weather) AND IS_DEFINED($body.readings)"))
        let weird = RoutingFixtures.message(json: #"{"weird key": 1, "n": null, "ok": true}"#)
        #expect(try matches("$body['weird key'] = 1", weird))
        #expect(try matches("$body.n = null AND IS_NULL($body.n)", weird))
        #expect(try matches("$body.ok = true AND IS_BOOL($body.ok)", weird))
    }

    @Test("$body needs application/json and a UTF content encoding", arguments: ["utf-8", "UTF-8", "utf-16", "utf-32", "utf-16be"])
    func bodyEncodings(_ encoding: String) throws {
        #expect(try matches("$body.temperature > 30", RoutingFixtures.message(encoding: encoding)))
    }

    @Test("$body is undefined otherwise")
    func bodyUndefined() throws {
        #expect(try !matches("$body.temperature > 30", RoutingFixtures.message(encoding: nil)), "no content encoding")
        #expect(try !matches("$body.temperature > 30", RoutingFixtures.message(contentType: "text/plain")))
        #expect(try !matches("$body.temperature > 30", RoutingFixtures.message(contentType: nil)))
        #expect(try !matches("$body.temperature > 30", RoutingFixtures.message(encoding: "latin1")))
        #expect(try !matches("IS_DEFINED($body.temperature)", RoutingFixtures.message(json: "not json")))
        #expect(try matches("$body.temperature > 30", RoutingFixtures.message(contentType: "application/json; charset=utf-8")))
    }

    @Test("$twin tags and properties")
    func twin() throws {
        #expect(try matches("$twin.tags.location.region = 'US'"))
        #expect(try matches("$twin.tags.location.floor >= 3"))
        #expect(try matches("$twin.properties.desired.telemetryConfig.sendFrequency = '5m'"))
        #expect(try matches("$twin.properties.desired.$version = 4"))
        #expect(try matches("$twin.properties.reported.battery.level < 90 AND $twin.properties.reported.firmware = '2.0'"))
        #expect(try !matches("$twin.tags.location.region = 'US'", twin: nil), "no twin: undefined")
    }

    @Test("comparison operators", arguments: [
        ("$body.temperature = 31.5", true), ("$body.temperature != 31.5", false), ("$body.temperature <> 30", true),
        ("$body.temperature < 32", true), ("$body.temperature <= 31.5", true), ("$body.temperature > 31.5", false),
        ("$body.temperature >= 31.5", true), ("'abc' < 'abd'", true), ("'b' > 'abc'", true), ("'a' = 'A'", false),
        ("$body.temperature = 'x'", false), ("$body.weather.sky > 5", false),
    ])
    func comparisons(_ condition: String, _ expected: Bool) throws {
        #expect(try matches(condition) == expected)
    }

    @Test("arithmetic", arguments: [
        ("$body.weather.wind + 3 = 15", true), ("$body.weather.wind - 2 = 10", true), ("$body.weather.wind * 2 = 24", true),
        ("$body.weather.wind / 4 = 3", true), ("$body.weather.wind % 5 = 2", true), ("-$body.weather.wind = -12", true),
        ("2 + 3 * 4 = 14", true), ("(2 + 3) * 4 = 20", true), ("$body.weather.wind / 0 = 1", false), ("IS_DEFINED(1 / 0)", false),
    ])
    func arithmetic(_ condition: String, _ expected: Bool) throws {
        #expect(try matches(condition) == expected)
    }

    @Test("three-valued logic")
    func logic() throws {
        #expect(try matches("true AND true"))
        #expect(try !matches("true AND false"))
        #expect(try matches("false OR true"))
        #expect(try !matches("false OR false"))
        #expect(try matches("NOT false"))
        #expect(try value("$body.missing = 1 AND false") == .bool(false))
        #expect(try value("$body.missing = 1 AND true") == nil)
        #expect(try value("$body.missing = 1 OR true") == .bool(true))
        #expect(try value("$body.missing = 1 OR false") == nil)
        #expect(try value("NOT ($body.missing = 1)") == nil)
        #expect(try matches("not false and TRUE or false"), "keywords are case-insensitive")
    }

    @Test("type-check functions")
    func typeChecks() throws {
        #expect(try matches("IS_DEFINED($body.temperature) AND NOT IS_DEFINED($body.nothing)"))
        #expect(try matches("IS_NUMBER($body.temperature) AND NOT IS_NUMBER($body.weather.sky)"))
        #expect(try matches("IS_STRING($body.weather.sky) AND NOT IS_STRING($body.temperature)"))
        #expect(try matches("IS_OBJECT($body.weather) AND NOT IS_OBJECT($body.readings)"))
        #expect(try matches("IS_ARRAY($body.readings) AND NOT IS_ARRAY($body.weather)"))
        #expect(try matches("IS_PRIMITIVE($body.temperature) AND NOT IS_PRIMITIVE($body.weather)"))
        #expect(try matches("IS_BOOL(true) AND NOT IS_BOOL($body.temperature)"))
        #expect(try matches("IS_NULL(null) AND NOT IS_NULL($body.nothing)"))
    }

    @Test("string functions", arguments: [
        ("STARTS_WITH($connectionDeviceId, 'dev')", true), ("STARTS_WITH($connectionDeviceId, 'x')", false),
        ("ENDS_WITH($messageId, '-1')", true), ("ENDS_WITH($messageId, 'mid')", false),
        ("CONTAINS($body.weather.sky, 'lea')", true), ("CONTAINS($body.weather.sky, 'rain')", false),
        ("LOWER('AbC') = 'abc'", true), ("UPPER($body.weather.sky) = 'CLEAR'", true), ("LENGTH($body.weather.sky) = 5", true),
        ("CONCAT('a', 'b', 'c') = 'abc'", true), ("SUBSTRING('hello', 1, 3) = 'ell'", true), ("INDEX_OF('hello', 'l') = 2", true),
        ("INDEX_OF('hello', 'z') = -1", true), ("IS_DEFINED(LOWER($body.temperature))", false),
        ("starts_with(lower($contentType), 'application/')", true),
    ])
    func strings(_ condition: String, _ expected: Bool) throws {
        #expect(try matches(condition) == expected)
    }

    @Test("math functions", arguments: [
        ("ABS(-3) = 3", true), ("CEILING(1.2) = 2", true), ("FLOOR(1.8) = 1", true), ("POWER(2, 10) = 1024", true),
        ("SQUARE(4) = 16", true), ("SQRT(81) = 9", true), ("SIGN(-2) = -1", true), ("EXP(0) = 1", true),
        ("IS_DEFINED(SQRT(-1))", false),
    ])
    func math(_ condition: String, _ expected: Bool) throws {
        #expect(try matches(condition) == expected)
    }
}
