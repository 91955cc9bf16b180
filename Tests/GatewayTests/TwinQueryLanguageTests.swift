import Hub
import Provisioning
import Testing

/// The query language beyond `SELECT *`: what the parser builds for projections, aggregates, collections, ordering,
/// TOP, IN/NIN and the functions, and how rows are shaped and ordered.
@Suite struct TwinQueryLanguageTests {
    typealias Q = TwinQuery

    static func path(_ text: String) -> Q.Path { Q.Path(text.split(separator: ".").map(String.init)) }

    static let twin: JSONValue = .object([
        "deviceId": .string("dev1"),
        "tags": .object(["labels": .array([.string("a"), .number(2)]), "site": .string("north"), "nothing": .null]),
        "properties": .object(["reported": .object(["fw": .string("1.2.0"), "on": .bool(true)])]),
    ])

    @Test func parsesTheFullForm() throws {
        let query = try Q(parsing: "select top 5 deviceId, properties.reported.fw as fw from devices.modules "
                          + "where tags.site in ['north', 'south'] and tags.n nin [1, 2] order by properties.reported.fw desc, deviceId")
        #expect(query == Q(
            collection: "devices.modules",
            projections: [Q.Projection(.path(Self.path("deviceId"))), Q.Projection(.path(Self.path("properties.reported.fw")), alias: "fw")],
            top: 5,
            condition: .and(.membership(.path(Self.path("tags.site")), [.string("north"), .string("south")], negated: false),
                            .membership(.path(Self.path("tags.n")), [.number(1), .number(2)], negated: true)),
            orderBy: [Q.Ordering(Self.path("properties.reported.fw"), descending: true), Q.Ordering(Self.path("deviceId"))]))
        let grouped = try Q(parsing: "SELECT tags.site, COUNT() AS n FROM devices.jobs GROUP BY tags.site")
        #expect(grouped.projections == [Q.Projection(.path(Self.path("tags.site"))), Q.Projection(.count, alias: "n")])
        #expect(grouped.groupBy == [Self.path("tags.site")] && grouped.collection == "devices.jobs" && grouped.aggregates && !grouped.streams)
        #expect(try Q(parsing: "SELECT deviceId FROM devices WHERE status = 'enabled'").streams)
    }

    @Test(arguments: [
        ("IS_STRING(properties.reported.fw)", true),
        ("IS_NUMBER(properties.reported.fw)", false),
        ("IS_BOOL(properties.reported.on) AND IS_PRIMITIVE(properties.reported.on)", true),
        ("IS_NULL(tags.nothing) AND IS_PRIMITIVE(tags.nothing)", true),
        ("IS_NULL(tags.missing)", false),
        ("NOT IS_NULL(tags.missing)", true),
        ("IS_OBJECT(tags) AND IS_ARRAY(tags.labels) AND NOT IS_PRIMITIVE(tags)", true),
        ("STARTSWITH(properties.reported.fw, '1.2')", true),
        ("ENDSWITH(properties.reported.fw, '.0')", true),
        ("CONTAINS(deviceId, 'ev')", true),
        ("STARTSWITH(properties.reported.on, 't')", false),
        ("NOT STARTSWITH(properties.reported.on, 't')", false),
        ("ARRAY_CONTAINS(tags.labels, 2)", true),
        ("ARRAY_CONTAINS(tags.labels, 'b')", false),
        ("tags.site IN ['south', 'north']", true),
        ("tags.site NIN ['south', 'north']", false),
        ("tags.missing NIN ['x']", false),
        ("NOT tags.missing IN ['x']", false),
    ])
    func functions(condition: String, expected: Bool) throws {
        #expect(try Q(parsing: "SELECT * FROM devices WHERE " + condition).matches(Self.twin) == expected, "\(condition)")
    }

    @Test func rowsAndOrder() throws {
        let query = try Q(parsing: "SELECT deviceId AS id, properties.reported.fw, tags.missing, COUNT() FROM devices GROUP BY deviceId, properties.reported.fw, tags.missing")
        #expect(query.resultName(at: 0) == "id" && query.resultName(at: 1) == "fw" && query.resultName(at: 3) == "$4")
        let projection = try Q(parsing: "SELECT deviceId AS id, properties.reported.fw, tags.missing FROM devices")
        #expect(projection.project(Self.twin) == .object(["id": .string("dev1"), "fw": .string("1.2.0")]))
        #expect(try Q(parsing: "SELECT * FROM devices").project(Self.twin) == Self.twin)
        let values: [JSONValue?] = [.string("b"), nil, .number(2), .null, .bool(true), .string("a"), .bool(false), .number(-1)]
        let sorted = values.sorted { Q.order($0, $1) < 0 }
        let expected: [JSONValue?] = [nil, .null, .bool(false), .bool(true), .number(-1), .number(2), .string("a"), .string("b")]
        #expect(sorted == expected)
    }
}
