import Foundation
import Testing

/// The IoT Hub query language through the unmodified `azure-iot-hub` 2.7.0 `query_iot_hub` against the real server:
/// paging, projections, COUNT() with GROUP BY, ORDER BY, TOP, IN/NIN, functions, module twins, device jobs and 400s.
@Suite("IoT Hub query language SDK", .timeLimit(.minutes(3)))
struct HubQuerySDKTests {
    /// What `python/hub_query.py` prints.
    struct Report: Decodable, Sendable {
        struct Twins: Decodable, Sendable {
            var ids: [String]
            var modules: [String?]
            var pages: Int
            var type: String?
        }

        struct Raw: Decodable, Sendable {
            var rows: [JSONText]
            var pages: Int
        }

        struct Failure: Decodable, Sendable {
            var status: Int
            var body: JSONText
        }

        var paged: Twins
        var grouped: Raw
        var counted: Raw
        var projected: Raw
        var ordered: Raw
        var top: Raw
        var nin: Twins
        var functions: Twins
        var modules: Twins
        var jobs: Raw
        var unsupportedFunction: Failure?
        var ungrouped: Failure?
    }

    static func id(_ index: Int) -> String { String(format: "qry-%02d", index) }
    static func site(_ index: Int) -> String { ["north", "south", "east"][index % 3] }
    static func fw(_ index: Int) -> String? { index % 4 == 3 ? nil : (index % 2 == 0 ? "1.0" : "2.0") }

    static func message(_ failure: Report.Failure?) -> String {
        guard case .object(let members)? = failure?.body, case .string(let message)? = members["Message"] else { return "" }
        return message
    }

    @Test("36 devices queried with every supported form, pages through x-ms-continuation, Azure's result shapes")
    func queryForms() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "hub_query.py", [server.connection.trustBundle, hub.serviceConnectionString], as: Report.self, timeout: .seconds(120))
        let all = 0..<36

        #expect(report.paged.ids == all.map(Self.id))
        #expect(report.paged.pages == 4 && report.paged.type == "twin")

        #expect(report.grouped.rows == [
            .object(["n": .number(9)]),
            .object(["fw": .string("1.0"), "n": .number(18)]),
            .object(["fw": .string("2.0"), "n": .number(9)]),
        ], "one object per group, the undefined group without the member")
        #expect(report.counted.rows == [.object(["total": .number(12)])])

        let floorTwo = all.filter { $0 % 5 == 2 }.reversed()
        #expect(report.projected.rows == floorTwo.map { index in
            var row: [String: JSONText] = ["deviceId": .string(Self.id(index)), "site": .string(Self.site(index))]
            if let fw = Self.fw(index) { row["fw"] = .string(fw) }
            return .object(row)
        })

        let ordered = all.sorted { ($0 % 5, -$0) > ($1 % 5, -$1) }
        #expect(report.ordered.rows == ordered.map { .object(["deviceId": .string(Self.id($0)), "floor": .number(Double($0 % 5))]) })
        #expect(report.ordered.pages == 6)
        #expect(report.top.rows == [0, 2, 3, 5].map { .object(["deviceId": .string(Self.id($0))]) })
        #expect(report.top.pages == 2)

        #expect(report.nin.ids == all.filter { $0 % 5 == 4 }.map(Self.id))
        #expect(report.functions.ids == ["qry-11", "qry-31"])
        #expect(report.modules.ids == ["qry-00"] && report.modules.modules == ["m"])
        #expect(report.jobs.rows.isEmpty)

        #expect(report.unsupportedFunction?.status == 400)
        #expect(Self.message(report.unsupportedFunction).contains("LOWER") && Self.message(report.unsupportedFunction).contains("position 29"),
                "\(Self.message(report.unsupportedFunction))")
        #expect(report.ungrouped?.status == 400)
        #expect(Self.message(report.ungrouped).contains("not in the GROUP BY list"), "\(Self.message(report.ungrouped))")
    }
}
