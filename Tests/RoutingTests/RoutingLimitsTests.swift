import Foundation
import Hub
import Provisioning
@testable import Routing
import Storage
import Testing

/// Conditions, enrichment paths, endpoint settings and message bodies are bounded when they are written, so that no
/// stored routing can make the router recurse without bound or trap on a number.
@Suite("Routing limits")
struct RoutingLimitsTests {
    private static let limits = QueryLimits.standard

    private static func chain(_ count: Int, _ keyword: String) -> String {
        (0..<count).map { "a='\($0 % 10)'" }.joined(separator: " \(keyword) ")
    }

    @Test("conditions at the limits compile and evaluate")
    func atTheLimits() throws {
        let nested = String(repeating: "(", count: Self.limits.maximumNesting) + "a = 'x'" + String(repeating: ")", count: Self.limits.maximumNesting)
        let nots = String(repeating: "NOT ", count: Self.limits.maximumNesting) + "a = 'x'"
        let ands = Self.chain(Self.limits.maximumOperators + 1, "AND")
        let sums = "$body.n" + String(repeating: " + 1", count: Self.limits.maximumOperators) + " > 0"
        for text in [nested, nots, ands, sums] {
            let condition = try RoutingCondition(text)
            _ = condition.matches(RoutingFixtures.message(json: #"{"n": 1}"#))
        }
    }

    private static let overLimitConditions: [(String, String)] = {
        let nesting = "nest deeper than 32 levels", operators = "more than 512 operators", length = "the text is longer than 8192 characters"
        var cases: [(String, String)] = []
        cases.append((String(repeating: "(", count: 33) + "a = 'x'" + String(repeating: ")", count: 33), nesting))
        cases.append((String(repeating: "(", count: 4000), nesting))
        cases.append((String(repeating: "(", count: 10_000), length))
        cases.append((String(repeating: "NOT ", count: 33) + "a = 'x'", nesting))
        cases.append((String(repeating: "NOT ", count: 2100) + "a = 'x'", length))
        cases.append(("$body.n = " + String(repeating: "-", count: 33) + "1", nesting))
        let calls = String(repeating: "LOWER(", count: 32) + "'a'" + String(repeating: ")", count: 33)
        cases.append(("LENGTH(" + calls + " > 0", nesting))
        cases.append((chain(514, "AND"), operators))
        cases.append((chain(514, "OR"), operators))
        cases.append(("$body.n" + String(repeating: "+1", count: 513) + " > 0", operators))
        cases.append(("a = '" + String(repeating: "x", count: 9000) + "'", length))
        return cases
    }()

    @Test("over-limit conditions are syntax errors naming the limit", arguments: overLimitConditions)
    func overLimit(text: String, reason: String) {
        let error = #expect(throws: RoutingQuerySyntaxError.self) { try RoutingCondition(text) }
        #expect(error?.reason.contains(reason) == true, "\(error?.reason ?? "")")
    }

    @Test("PUT-time validation refuses an over-limit condition with the route and reason")
    func tableRefusesOverLimitCondition() {
        let configuration = RoutingConfiguration(routes: [
            RouteConfiguration(name: "long", condition: Self.chain(600, "AND"), endpointNames: ["events"]),
        ])
        let error = #expect(throws: RoutingConfigurationError.self) { try RoutingTable(configuration) }
        #expect(error?.route == "long")
        #expect(error?.reason?.contains("more than 512 operators") == true)
    }

    @Test("an over-limit enrichment path is refused")
    func enrichmentPath() {
        let path = "$twin.tags" + String(repeating: ".a", count: 5000)
        let configuration = RoutingConfiguration(enrichments: [EnrichmentConfiguration(key: "k", value: path, endpointNames: ["events"])])
        #expect(throws: RoutingConfigurationError.self) { try RoutingTable(configuration) }
    }

    private static func webhook(_ change: (inout RoutingEndpointConfiguration) -> Void) -> RoutingConfiguration {
        var endpoint = RoutingEndpointConfiguration(name: "hook", type: .webhook)
        endpoint.url = "https://127.0.0.1:9000/hook"
        change(&endpoint)
        return RoutingConfiguration(endpoints: [endpoint])
    }

    private static let outOfRange: [(String, Double)] = [
        ("timeoutSeconds", 1e16), ("timeoutSeconds", .infinity), ("timeoutSeconds", .nan), ("timeoutSeconds", 0),
        ("retryInitialSeconds", 1e300), ("retryInitialSeconds", -1), ("retryMaximumSeconds", 1e16), ("retryMaximumSeconds", .nan),
        ("maxAttempts", Double(Int.max)), ("batchSize", -1e18),
    ]

    @Test("numeric endpoint settings out of range are refused with the setting's name", arguments: outOfRange)
    func webhookRanges(setting: String, value: Double) {
        let configuration = Self.webhook { endpoint in
            switch setting {
            case "timeoutSeconds": endpoint.timeoutSeconds = value
            case "retryInitialSeconds": endpoint.retryInitialSeconds = value
            case "retryMaximumSeconds": endpoint.retryMaximumSeconds = value
            case "maxAttempts": endpoint.maxAttempts = Int.max
            default: endpoint.batchSize = Int.min
            }
        }
        let error = #expect(throws: RoutingConfigurationError.self) { try RoutingTable(configuration) }
        #expect(error?.message.contains(setting) == true, "\(error?.message ?? "")")
    }

    @Test("event log and storage settings out of range are refused")
    func logAndStorageRanges() {
        var log = RoutingEndpointConfiguration(name: "log", type: .eventLog)
        log.retentionSeconds = Int.max
        #expect(throws: RoutingConfigurationError.self) { try RoutingTable(RoutingConfiguration(endpoints: [log])) }
        log.retentionSeconds = nil
        log.retentionBytes = Int.max
        #expect(throws: RoutingConfigurationError.self) { try RoutingTable(RoutingConfiguration(endpoints: [log])) }
        var storage = RoutingEndpointConfiguration(name: "files", type: .storage)
        storage.directory = "/tmp/x"
        storage.batchBytes = Int.max
        #expect(throws: RoutingConfigurationError.self) { try RoutingTable(RoutingConfiguration(endpoints: [storage])) }
    }

    @Test("header names must be tokens and values free of CR/LF; the value is never echoed")
    func headers() {
        let injected = Self.webhook { $0.headers = ["Authorization": "Bearer secret-value\r\nX-Evil: 1"] }
        let error = #expect(throws: RoutingConfigurationError.self) { try RoutingTable(injected) }
        #expect(error?.message.contains("secret-value") == false)
        #expect(throws: RoutingConfigurationError.self) { try RoutingTable(Self.webhook { $0.headers = ["Bad Name": "x"] }) }
        #expect(throws: Never.self) { try RoutingTable(Self.webhook { $0.headers = ["Authorization": "Bearer abc\tdef"] }) }
    }

    @Test("a YAML policy file with an infinite timeout is refused at load")
    func yamlInfinity() {
        let yaml = """
            apiVersion: provisio/v1
            kind: RoutingPolicy
            endpoints:
              - {name: hook, type: webhook, url: "https://127.0.0.1/h", timeoutSeconds: .inf}
            """
        let error = #expect(throws: RoutingConfigurationError.self) { try RoutingPolicyDocument.parse(yaml: yaml, source: "routing-x.yaml") }
        #expect(error?.message.contains("timeoutSeconds") == true)
    }

    @Test("too many routes are refused")
    func routeCount() {
        let routes = (0...RoutingTable.maximumCount).map { RouteConfiguration(name: "r\($0)", condition: "true", endpointNames: ["events"]) }
        #expect(throws: RoutingConfigurationError.self) { try RoutingTable(RoutingConfiguration(routes: routes)) }
    }

    @Test("a stored routing that breaks a limit (an older version's) opens as the default and stays stored untouched")
    func storedRoutingOverTheLimits() async throws {
        try await withRoutingDatabase { database, _ in
            var hook = RoutingEndpointConfiguration(name: "hook", type: .webhook)
            hook.url = "https://127.0.0.1:9/hook"
            hook.timeoutSeconds = 1e16
            let stored = RoutingConfiguration(
                endpoints: [hook], routes: [RouteConfiguration(name: "long", condition: Self.chain(600, "AND"), endpointNames: ["hook"])])
            try await database.saveRoutingConfiguration(stored, shard: "h")
            let routing = try await ShardRouting.open(shard: "h", store: database, initial: RoutingConfiguration())
            #expect(routing.configuration == RoutingTable.standard.configuration)
            let deliveries = routing.currentTable.deliveries(for: RoutingFixtures.message(), twin: nil, hubName: "h")
            #expect(deliveries.map(\.endpoint) == ["events"])
            #expect(try await database.routingConfiguration(shard: "h") == stored)
        }
    }

    @Test("SUBSTRING with positions a message chose (huge, fractional, negative) evaluates without trapping")
    func substringPositions() throws {
        let condition = try RoutingCondition("SUBSTRING($body.s, $body.start, $body.length) = 'bc'")
        let cases = [("1.7976931348623157e308", "1", false), ("1", "1e300", true), ("1e19", "1e19", false), ("-1", "1", false),
                     ("0.5", "1", false), ("1", "2", true)]
        for (start, length, matches) in cases {
            let message = RoutingFixtures.message(json: #"{"s": "abc", "start": \#(start), "length": \#(length)}"#)
            #expect(condition.matches(message) == matches, "start \(start), length \(length)")
        }
    }

    @Test("checkpoints stop below Int64.max, and a stored Int64.max (older version) reads without overflow")
    func checkpointBounds() async throws {
        try await withRoutingDatabase { database, _ in
            let routing = try await ShardRouting.open(shard: "h", store: database, initial: RoutingConfiguration())
            await #expect(throws: RoutingError.self) {
                try await routing.setCheckpoint(endpoint: "events", consumerGroup: "$Default", partition: 0, sequenceNumber: .max)
            }
            try await database.setCheckpoint(shard: "h", endpoint: "events", consumerGroup: "$Default", partition: 0, sequenceNumber: .max)
            let events = try await routing.read(endpoint: "events", partition: 0, consumerGroup: "$Default", fromSequenceNumber: nil,
                                                maxCount: 10, wait: .zero)
            #expect(events.isEmpty)
        }
    }

    @Test("delays and timeouts convert without trapping, whatever the value", arguments: [1e16, 1e300, .infinity, .nan, -1, 0, 0.0004, 2.5])
    func durations(seconds: Double) {
        let duration = RetryPolicy.duration(seconds: seconds)
        #expect(duration >= .zero && duration <= .seconds(RetryPolicy.longestWait))
        let policy = RetryPolicy(initial: seconds, maximum: seconds)
        #expect(policy.delay(afterAttempt: Int.max) <= .seconds(RetryPolicy.longestWait))
    }

    @Test("message bodies nest at most JSONValue.maximumDepth levels")
    func bodyDepth() {
        let depth = JSONValue.maximumDepth
        let deepest = String(repeating: "[", count: depth) + String(repeating: "]", count: depth)
        #expect(JSONBodyParser.parse(deepest) != nil)
        let deeper = String(repeating: "[", count: depth + 1) + String(repeating: "]", count: depth + 1)
        #expect(JSONBodyParser.parse(deeper) == nil)
        let hostile = String(repeating: "{\"a\":", count: 1_000_000)
        #expect(JSONBodyParser.parse(hostile) == nil)
    }
}
