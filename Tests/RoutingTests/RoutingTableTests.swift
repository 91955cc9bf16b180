import Foundation
import Hub
import Provisioning
import Routing
import Testing

/// Routes, the fallback route and enrichments decide where each message goes.
@Suite("Routing table")
struct RoutingTableTests {
    private static let hot = RoutingEndpointConfiguration(name: "hot", type: .eventLog)

    private static func webhook(_ name: String) -> RoutingEndpointConfiguration {
        var endpoint = RoutingEndpointConfiguration(name: name, type: .webhook)
        endpoint.url = "https://127.0.0.1:9000/hook"
        return endpoint
    }

    @Test("the default sends every device message to the built-in endpoint and drops hub events")
    func standard() {
        let table = RoutingTable.standard
        #expect(table.deliveries(for: RoutingFixtures.message(), twin: nil, hubName: "hub-1").map(\.endpoint) == ["events"])
        var event = RoutingFixtures.message()
        event.source = .twinChangeEvents
        #expect(table.deliveries(for: event, twin: nil, hubName: "hub-1").isEmpty)
        #expect(table.configuration.endpoints.map(\.name) == ["events"])
    }

    @Test("matching routes win over the fallback; unmatched messages fall back")
    func fallback() throws {
        let table = try RoutingTable(RoutingConfiguration(
            endpoints: [Self.webhook("alerts")],
            routes: [RouteConfiguration(name: "hot", condition: "$body.temperature > 30", endpointNames: ["alerts"])]))
        let hot = RoutingFixtures.message(json: #"{"temperature": 35}"#)
        let cold = RoutingFixtures.message(json: #"{"temperature": 20}"#)
        #expect(table.deliveries(for: hot, twin: nil, hubName: "h").map(\.endpoint) == ["alerts"])
        #expect(table.deliveries(for: cold, twin: nil, hubName: "h").map(\.endpoint) == ["events"])
    }

    @Test("a disabled fallback drops unmatched messages; disabled routes are skipped")
    func disabled() throws {
        let table = try RoutingTable(RoutingConfiguration(
            endpoints: [Self.hot],
            routes: [RouteConfiguration(name: "all", endpointNames: ["hot"], isEnabled: false)],
            fallbackRoute: FallbackRouteConfiguration(isEnabled: false)))
        #expect(table.deliveries(for: RoutingFixtures.message(), twin: nil, hubName: "h").isEmpty)
    }

    @Test("several routes to several endpoints deliver once per endpoint")
    func fanOut() throws {
        let table = try RoutingTable(RoutingConfiguration(
            endpoints: [Self.hot, Self.webhook("hook")],
            routes: [
                RouteConfiguration(name: "a", condition: "true", endpointNames: ["hot", "events"]),
                RouteConfiguration(name: "b", condition: "$connectionDeviceId = 'dev-1'", endpointNames: ["events", "hook"]),
                RouteConfiguration(name: "twin", source: .twinChangeEvents, endpointNames: ["events"]),
            ]))
        #expect(table.deliveries(for: RoutingFixtures.message(), twin: nil, hubName: "h").map(\.endpoint) == ["hot", "events", "hook"])
        var event = RoutingFixtures.message()
        event.source = .twinChangeEvents
        #expect(table.deliveries(for: event, twin: nil, hubName: "h").map(\.endpoint) == ["events"])
        #expect(table.routes(.twinChangeEvents))
        #expect(!table.routes(.deviceConnectionStateEvents))
    }

    @Test("enrichments stamp static values, the hub name and twin paths on their endpoints only")
    func enrichments() throws {
        let table = try RoutingTable(RoutingConfiguration(
            endpoints: [Self.hot],
            routes: [RouteConfiguration(name: "all", endpointNames: ["hot", "events"])],
            enrichments: [
                EnrichmentConfiguration(key: "site", value: "plant-7", endpointNames: ["events"]),
                EnrichmentConfiguration(key: "hub", value: "$iothubname", endpointNames: ["events", "hot"]),
                EnrichmentConfiguration(key: "region", value: "$twin.tags.location.region", endpointNames: ["events"]),
                EnrichmentConfiguration(key: "freq", value: "$twin.properties.desired.telemetryConfig.sendFrequency", endpointNames: ["events"]),
                EnrichmentConfiguration(key: "level", value: "$twin.properties.reported.battery.level", endpointNames: ["events"]),
                EnrichmentConfiguration(key: "missing", value: "$twin.tags.nothing", endpointNames: ["events"]),
            ]))
        #expect(table.referencesTwin)
        let deliveries = table.deliveries(for: RoutingFixtures.message(properties: ["a": "1"]), twin: RoutingFixtures.twin, hubName: "hub-2")
        let events = try #require(deliveries.first { $0.endpoint == "events" })
        #expect(events.applicationProperties == [
            "a": "1", "site": "plant-7", "hub": "hub-2", "region": "US", "freq": "5m", "level": "80", "missing": "$twin.tags.nothing",
        ])
        let hot = try #require(deliveries.first { $0.endpoint == "hot" })
        #expect(hot.applicationProperties == ["a": "1", "hub": "hub-2"])
    }

    @Test("invalid configurations are rejected with a reason", arguments: [
        (RoutingConfiguration(routes: [RouteConfiguration(name: "r", condition: "$body.x >", endpointNames: ["events"])]),
         "route 'r': invalid condition at position 10"),
        (RoutingConfiguration(routes: [RouteConfiguration(name: "r", endpointNames: ["nowhere"])]), "unknown endpoint 'nowhere'"),
        (RoutingConfiguration(routes: [RouteConfiguration(name: "r", endpointNames: [])]), "names no endpoint"),
        (RoutingConfiguration(routes: [RouteConfiguration(name: "r", endpointNames: ["events"]), RouteConfiguration(name: "r", endpointNames: ["events"])]),
         "route name 'r' is used twice"),
        (RoutingConfiguration(endpoints: [RoutingEndpointConfiguration(name: "events", type: .webhook)]), "is an eventLog"),
        (RoutingConfiguration(endpoints: [RoutingEndpointConfiguration(name: "partitions", type: .eventLog)]), "reserved"),
        (RoutingConfiguration(endpoints: [RoutingEndpointConfiguration(name: "w", type: .webhook)]), "needs an http:// or https:// url"),
        (RoutingConfiguration(endpoints: [RoutingEndpointConfiguration(name: "s", type: .storage)]), "needs a directory"),
        (RoutingConfiguration(endpoints: [Self.hot, Self.hot]), "used twice"),
        (RoutingConfiguration(enrichments: [EnrichmentConfiguration(key: "k", value: "$twin.nope", endpointNames: ["events"])]),
         "enrichment 'k'"),
        (RoutingConfiguration(enrichments: [EnrichmentConfiguration(key: "k", value: "$other", endpointNames: ["events"])]),
         "is not $iothubname or a $twin path"),
    ])
    func invalid(_ configuration: RoutingConfiguration, _ message: String) {
        #expect {
            _ = try RoutingTable(configuration)
        } throws: { error in
            (error as? RoutingConfigurationError)?.message.contains(message) ?? false
        }
    }

    @Test("a bad condition reports the route, position and reason")
    func conditionDetails() {
        do {
            _ = try RoutingTable(RoutingConfiguration(routes: [RouteConfiguration(name: "hot", condition: "$body.t > > 1", endpointNames: ["events"])]))
            Issue.record("accepted")
        } catch {
            #expect(error.route == "hot")
            #expect(error.position == 11)
            #expect(error.reason?.contains("expected a value") == true)
        }
    }

    @Test("settings of another endpoint kind are rejected")
    func misplacedSetting() {
        var endpoint = RoutingEndpointConfiguration(name: "log", type: .eventLog)
        endpoint.url = "https://x"
        #expect(throws: RoutingConfigurationError.self) { try RoutingTable(RoutingConfiguration(endpoints: [endpoint])) }
    }

    @Test("JSON decoding is strict and fills defaults")
    func decoding() throws {
        let json = #"""
        {"endpoints": [{"name": "hook", "type": "webhook", "url": "https://h/x", "maxAttempts": 3}],
         "routes": [{"name": "r", "condition": "$body.t > 1", "endpointNames": ["hook"]}]}
        """#
        let configuration = try JSONDecoder().decode(RoutingConfiguration.self, from: Data(json.utf8))
        #expect(configuration.routes[0].source == .deviceMessages)
        #expect(configuration.routes[0].isEnabled)
        #expect(configuration.fallbackRoute == FallbackRouteConfiguration())
        #expect(configuration.endpoints[0].effectiveMaxAttempts == 3)
        let typo = #"{"routes": [{"name": "r", "conditon": "true", "endpointNames": ["events"]}]}"#
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(RoutingConfiguration.self, from: Data(typo.utf8)) }
        let encoded = try JSONEncoder().encode(configuration)
        #expect(try JSONDecoder().decode(RoutingConfiguration.self, from: encoded) == configuration)
    }
}
