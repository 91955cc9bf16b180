import Foundation
import Hub
import Provisioning

/// A validated, compiled routing configuration: decides, per message, which endpoints receive it and with which
/// application properties. Immutable; a `PUT /routing` builds a new one.
public struct RoutingTable: Sendable {
    /// One copy of a message for one endpoint.
    public struct Delivery: Sendable, Equatable {
        /// Endpoint name.
        public var endpoint: String
        /// The message's application properties plus the endpoint's enrichments.
        public var applicationProperties: [String: String]
    }

    private struct CompiledRoute: Sendable {
        let name: String
        let source: RoutingSource
        let condition: RoutingCondition
        let endpointNames: [String]
    }

    /// The configuration, normalized (the built-in endpoint listed).
    public let configuration: RoutingConfiguration
    /// Endpoints by name.
    public let endpoints: [String: RoutingEndpointConfiguration]
    private let routes: [CompiledRoute]
    private let fallback: CompiledRoute?
    private let enrichments: [RoutingEnrichment]
    /// Whether any condition or enrichment reads the twin.
    public let referencesTwin: Bool
    /// Where every device message goes when that depends on nothing in it: no enabled route takes device messages, the
    /// fallback's condition is constant and no enrichment applies. nil otherwise (each message is evaluated).
    public let unconditionalDeviceMessageEndpoints: [String]?
    /// Whether any enabled route listens to each source.
    private let sources: Set<RoutingSource>

    /// Validates and compiles `configuration`.
    public init(_ configuration: RoutingConfiguration) throws(RoutingConfigurationError) {
        let normalized = configuration.normalized
        // Bounds on the work each message costs (IoT Hub itself allows 100 routes).
        guard normalized.endpoints.count <= Self.maximumCount, normalized.routes.count <= Self.maximumCount,
              normalized.enrichments.count <= Self.maximumCount else {
            throw RoutingConfigurationError("a routing holds at most \(Self.maximumCount) endpoints, \(Self.maximumCount) routes and \(Self.maximumCount) enrichments")
        }
        var endpoints: [String: RoutingEndpointConfiguration] = [:]
        for endpoint in normalized.endpoints {
            try endpoint.validate()
            guard endpoints[endpoint.name] == nil else { throw RoutingConfigurationError("endpoint name '\(endpoint.name)' is used twice") }
            endpoints[endpoint.name] = endpoint
        }
        func checkTargets(_ names: [String], of owner: String) throws(RoutingConfigurationError) {
            guard !names.isEmpty else { throw RoutingConfigurationError("\(owner) names no endpoint") }
            if let missing = names.first(where: { endpoints[$0] == nil }) {
                throw RoutingConfigurationError("\(owner) names the unknown endpoint '\(missing)'")
            }
        }
        func compile(_ condition: String, route: String) throws(RoutingConfigurationError) -> RoutingCondition {
            do {
                return try RoutingCondition(condition)
            } catch {
                throw RoutingConfigurationError("route '\(route)': invalid condition at position \(error.position): \(error.reason)",
                                                route: route, position: error.position, reason: error.reason)
            }
        }
        var routeNames = Set<String>()
        var compiled: [CompiledRoute] = []
        for route in normalized.routes {
            guard route.name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
                throw RoutingConfigurationError("route name '\(route.name)' must be 1–64 letters, digits, '.', '_' or '-'")
            }
            guard routeNames.insert(route.name).inserted else { throw RoutingConfigurationError("route name '\(route.name)' is used twice") }
            try checkTargets(route.endpointNames, of: "route '\(route.name)'")
            let condition = try compile(route.condition, route: route.name)
            if route.isEnabled {
                compiled.append(CompiledRoute(name: route.name, source: route.source, condition: condition, endpointNames: route.endpointNames))
            }
        }
        let fallbackRoute = normalized.fallbackRoute
        guard fallbackRoute.source == .deviceMessages else { throw RoutingConfigurationError("the fallback route's source is DeviceMessages") }
        try checkTargets(fallbackRoute.endpointNames, of: "the fallback route")
        let fallbackCondition = try compile(fallbackRoute.condition, route: fallbackRoute.name)
        fallback = fallbackRoute.isEnabled
            ? CompiledRoute(name: fallbackRoute.name, source: .deviceMessages, condition: fallbackCondition, endpointNames: fallbackRoute.endpointNames)
            : nil
        var enrichments: [RoutingEnrichment] = []
        var stamped = Set<String>()
        for enrichment in normalized.enrichments {
            guard !enrichment.key.isEmpty, enrichment.key.count <= 128 else { throw RoutingConfigurationError("an enrichment key must be 1–128 characters") }
            try checkTargets(enrichment.endpointNames, of: "enrichment '\(enrichment.key)'")
            for endpoint in enrichment.endpointNames where !stamped.insert("\(endpoint)\u{0}\(enrichment.key)").inserted {
                throw RoutingConfigurationError("enrichment '\(enrichment.key)' is set twice for endpoint '\(endpoint)'")
            }
            enrichments.append(try RoutingEnrichment(enrichment))
        }
        self.configuration = normalized
        self.endpoints = endpoints
        self.routes = compiled
        self.enrichments = enrichments
        referencesTwin = compiled.contains { $0.condition.referencesTwin } || fallbackCondition.referencesTwin
            || enrichments.contains { $0.referencesTwin }
        sources = Set(compiled.map(\.source) + (fallback == nil ? [] : [.deviceMessages]))
        if !compiled.contains(where: { $0.source == .deviceMessages }), enrichments.isEmpty {
            switch fallback?.condition.expression {
            case nil: unconditionalDeviceMessageEndpoints = []
            case .literal(.bool(true))?: unconditionalDeviceMessageEndpoints = fallback?.endpointNames
            case .literal?: unconditionalDeviceMessageEndpoints = []
            default: unconditionalDeviceMessageEndpoints = nil
            }
        } else {
            unconditionalDeviceMessageEndpoints = nil
        }
    }

    /// Most endpoints, routes and enrichments one routing may hold.
    public static let maximumCount = 100

    /// The event `endpoint` gets: in the partition of the device, with `properties` (enrichments applied) and the
    /// message's system properties.
    func eventAppend(endpoint: String, deviceId: String, moduleId: String?, body: [UInt8], properties: [String: String],
                     systemProperties: [String: String]) -> EventAppend {
        let partitions = endpoints[endpoint]?.effectivePartitionCount ?? 1
        return EventAppend(endpoint: endpoint, partition: EventPartitioner.partition(deviceId: deviceId, count: partitions),
                           record: EventRecord(deviceId: deviceId, moduleId: moduleId, body: body, properties: properties,
                                               systemProperties: systemProperties))
    }

    /// The default table: the built-in endpoint and the fallback route to it.
    public static let standard: RoutingTable = {
        do { return try RoutingTable(RoutingConfiguration()) } catch { preconditionFailure("the default routing is valid: \(error)") }
    }()

    /// Whether messages of `source` can go anywhere (skips twin loading and evaluation otherwise).
    public func routes(_ source: RoutingSource) -> Bool { sources.contains(source) }

    /// The endpoints `message` goes to, each at most once, in configuration order of first match; enrichments
    /// (device messages only, as in IoT Hub) applied per endpoint.
    public func deliveries(for message: RoutingMessage, twin: DeviceTwin?, hubName: String) -> [Delivery] {
        let context = RoutingEvaluationContext(message: message, twin: twin)
        var targets: [String] = []
        var seen = Set<String>()
        for route in routes where route.source == message.source && route.condition.matches(context) {
            for endpoint in route.endpointNames where seen.insert(endpoint).inserted { targets.append(endpoint) }
        }
        if targets.isEmpty, message.source == .deviceMessages, let fallback, fallback.condition.matches(context) {
            targets = fallback.endpointNames
        }
        return targets.map { endpoint in
            var properties = message.applicationProperties
            if message.source == .deviceMessages {
                for enrichment in enrichments where enrichment.endpointNames.contains(endpoint) {
                    properties[enrichment.key] = enrichment.resolve(in: context, hubName: hubName)
                }
            }
            return Delivery(endpoint: endpoint, applicationProperties: properties)
        }
    }
}
