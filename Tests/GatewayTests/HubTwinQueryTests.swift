import Hub
import Provisioning
import Testing

@Suite struct HubTwinQueryTests {
    typealias Q = TwinQuery

    static func path(_ text: String) -> Q.Operand { .path(Q.Path(text.split(separator: ".").map(String.init))) }
    static func text(_ value: String) -> Q.Operand { .literal(.string(value)) }
    static func number(_ value: Double) -> Q.Operand { .literal(.number(value)) }

    static let twin: JSONValue = .object([
        "deviceId": .string("dev1"), "status": .string("enabled"),
        "tags": .object(["x": .string("y"), "site": .object(["floor": .number(3), "name": .string("north")]), "odd key": .bool(true)]),
        "properties": .object([
            "desired": .object(["temperature": .number(21), "$version": .number(2)]),
            "reported": .object(["firmware": .string("1.2.0"), "online": .bool(true), "nothing": .null]),
        ]),
    ])

    @Test func selectAllWithAndWithoutWhere() throws {
        #expect(try Q(parsing: "SELECT * FROM devices") == Q(condition: nil))
        #expect(try Q(parsing: "  select   *   from   DEVICES  ") == Q(condition: nil))
        #expect(try Q(parsing: "SELECT * FROM devices WHERE tags.x = 'y'")
            == Q(condition: .compare(Self.path("tags.x"), .equal, Self.text("y"))))
    }

    @Test func precedenceIsNotThenAndThenOr() throws {
        let query = try Q(parsing: "SELECT * FROM devices WHERE a = 1 OR b = 2 AND NOT c = 3")
        #expect(query.condition == .or(
            .compare(Self.path("a"), .equal, Self.number(1)),
            .and(.compare(Self.path("b"), .equal, Self.number(2)), .not(.compare(Self.path("c"), .equal, Self.number(3))))))
        let grouped = try Q(parsing: "SELECT * FROM devices WHERE (a = 1 OR b = 2) AND c = 3")
        #expect(grouped.condition == .and(
            .or(.compare(Self.path("a"), .equal, Self.number(1)), .compare(Self.path("b"), .equal, Self.number(2))),
            .compare(Self.path("c"), .equal, Self.number(3))))
        let chained = try Q(parsing: "SELECT * FROM devices WHERE a = 1 AND b = 2 AND c = 3")
        #expect(chained.condition == .and(.and(.compare(Self.path("a"), .equal, Self.number(1)),
                                               .compare(Self.path("b"), .equal, Self.number(2))),
                                          .compare(Self.path("c"), .equal, Self.number(3))))
    }

    @Test func literalsOperatorsAndPaths() throws {
        let query = try Q(parsing: #"SELECT * FROM devices WHERE tags['odd key'] <> -1.5e2 AND tags.from >= "it's" AND x != null AND y < true AND z <= false"#)
        #expect(query.condition == .and(.and(.and(.and(
            .compare(.path(Q.Path(["tags", "odd key"])), .notEqual, Self.number(-150)),
            .compare(Self.path("tags.from"), .greaterOrEqual, Self.text("it's"))),
            .compare(Self.path("x"), .notEqual, .literal(.null))),
            .compare(Self.path("y"), .less, .literal(.bool(true)))),
            .compare(Self.path("z"), .lessOrEqual, .literal(.bool(false)))))
        #expect(try Q(parsing: #"SELECT * FROM devices WHERE a = 'it\'s'"#).condition == .compare(Self.path("a"), .equal, Self.text("it's")))
        #expect(try Q(parsing: "SELECT * FROM devices WHERE is_defined(properties.reported.$version)").condition
            == .isDefined(Q.Path(["properties", "reported", "$version"])))
    }

    @Test(arguments: [
        ("tags.x = 'y'", true),
        ("tags.x = 'Y'", false),
        ("tags.x != 'z'", true),
        ("tags.site.floor = 3", true),
        ("tags.site.floor > 2 AND tags.site.floor <= 3", true),
        ("tags.site.name < 'south'", true),
        ("tags['odd key'] = true", true),
        ("deviceId = 'dev1' AND status = 'enabled'", true),
        ("properties.desired.temperature >= 21.0", true),
        ("properties.desired.$version = 2", true),
        ("properties.reported.firmware = '1.2.0'", true),
        ("properties.reported.online = true", true),
        ("properties.reported.nothing = null", true),
        ("IS_DEFINED(tags.site.floor)", true),
        ("IS_DEFINED(tags.missing)", false),
        ("NOT IS_DEFINED(tags.missing)", true),
        ("tags.missing = 1", false),
        ("NOT tags.missing = 1", false),  // NOT undefined is undefined
        ("tags.missing != 1", false),
        ("tags.missing = 1 OR tags.x = 'y'", true),
        ("tags.missing = 1 AND tags.x = 'y'", false),
        ("tags.site.floor = '3'", false),  // different types are never equal
        ("tags.site.floor < 'a'", false),  // and do not order
        ("NOT (tags.x = 'y' AND tags.site.floor = 4)", true),
        ("tags.x = tags.x", true),
        ("tags.site = tags.site", true),
    ])
    func evaluation(condition: String, expected: Bool) throws {
        let query = try Q(parsing: "SELECT * FROM devices WHERE " + condition)
        #expect(query.matches(Self.twin) == expected, "\(condition)")
    }

    @Test(arguments: [
        ("", 1, "expected SELECT"),
        ("SELECT LOWER(deviceId) FROM devices", 8, "not supported in a SELECT list"),
        ("SELECT * FROM devices.things", 15, "is not a collection"),
        ("SELECT * FROM jobs", 15, "expected devices, devices.modules or devices.jobs"),
        ("SELECT * FROM devices WHERE", 28, "expected a property path or a literal"),
        ("SELECT * FROM devices WHERE tags.x = = 1", 38, "expected a property path or a literal, found '='"),
        ("SELECT * FROM devices WHERE tags.x 'y'", 36, "expected a comparison operator"),
        ("SELECT * FROM devices WHERE (tags.x = 'y'", 42, "expected ')'"),
        ("SELECT * FROM devices WHERE tags.x = 'y", 38, "not closed"),
        ("SELECT * FROM devices WHERE tags.x ! 'y'", 36, "'!' must be followed by '='"),
        ("SELECT * FROM devices WHERE tags. = 1", 35, "expected a member name after '.'"),
        ("SELECT * FROM devices WHERE tags.x = 1 tags.y = 2", 40, "expected AND, OR, GROUP BY"),
        ("SELECT * FROM devices WHERE IS_DEFINED tags.x", 40, "expected '(' after IS_DEFINED"),
        ("SELECT * FROM devices WHERE IS_DEFINED('x')", 40, "expected a property path"),
        ("SELECT * FROM devices WHERE tags.x = 12abc", 38, "malformed number"),
        ("SELECT * FROM devices WHERE tags.x = #", 38, "unexpected character '#'"),
        ("SELECT * FROM devices WHERE AND = 1", 29, "expected a property path"),
    ])
    func syntaxErrorsNamePositionAndReason(query: String, position: Int, reason: String) {
        #expect {
            try Q(parsing: query)
        } throws: { error in
            guard let error = error as? TwinQuerySyntaxError else { return false }
            return error.position == position && error.reason.contains(reason)
        }
    }
}
