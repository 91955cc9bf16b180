/// A shard's routing: endpoints, routes, the fallback route and enrichments (`GET`/`PUT /routing`).
public struct RoutingConfiguration: Codable, Sendable, Equatable {
    /// Endpoints besides (or overriding the settings of) the built-in `events`.
    public var endpoints: [RoutingEndpointConfiguration]
    /// Routes, evaluated for every message of their source.
    public var routes: [RouteConfiguration]
    /// Where device messages that match no route go.
    public var fallbackRoute: FallbackRouteConfiguration
    /// Application properties stamped on delivered device messages.
    public var enrichments: [EnrichmentConfiguration]

    /// Creates a configuration; the default has only the built-in endpoint and the fallback route to it.
    public init(endpoints: [RoutingEndpointConfiguration] = [], routes: [RouteConfiguration] = [],
                fallbackRoute: FallbackRouteConfiguration = .init(), enrichments: [EnrichmentConfiguration] = []) {
        self.endpoints = endpoints
        self.routes = routes
        self.fallbackRoute = fallbackRoute
        self.enrichments = enrichments
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case endpoints, routes, fallbackRoute, enrichments
    }

    /// Decodes strictly; omitted members keep their defaults.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownRoutingKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        endpoints = try container.decodeIfPresent([RoutingEndpointConfiguration].self, forKey: .endpoints) ?? []
        routes = try container.decodeIfPresent([RouteConfiguration].self, forKey: .routes) ?? []
        fallbackRoute = try container.decodeIfPresent(FallbackRouteConfiguration.self, forKey: .fallbackRoute) ?? .init()
        enrichments = try container.decodeIfPresent([EnrichmentConfiguration].self, forKey: .enrichments) ?? []
    }

    /// The configuration with the built-in endpoint listed first (default settings unless overridden).
    public var normalized: RoutingConfiguration {
        var copy = self
        if !copy.endpoints.contains(where: { $0.name == BuiltInEndpoint.name }) {
            copy.endpoints.insert(.builtIn, at: 0)
        }
        return copy
    }
}
