/// A route: messages of `source` for which `condition` holds go to every endpoint in `endpointNames`.
public struct RouteConfiguration: Codable, Sendable, Equatable {
    /// Unique name.
    public var name: String
    /// Which messages it sees.
    public var source: RoutingSource
    /// Routing query; `true` when omitted.
    public var condition: String
    /// Endpoints it delivers to.
    public var endpointNames: [String]
    /// Disabled routes are kept but skipped.
    public var isEnabled: Bool

    /// Creates a route.
    public init(name: String, source: RoutingSource = .deviceMessages, condition: String = "true", endpointNames: [String],
                isEnabled: Bool = true) {
        self.name = name
        self.source = source
        self.condition = condition
        self.endpointNames = endpointNames
        self.isEnabled = isEnabled
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, source, condition, endpointNames, isEnabled
    }

    /// Decodes strictly; `source` defaults to DeviceMessages, `condition` to true, `isEnabled` to true.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownRoutingKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        source = try container.decodeIfPresent(RoutingSource.self, forKey: .source) ?? .deviceMessages
        condition = try container.decodeIfPresent(String.self, forKey: .condition) ?? "true"
        endpointNames = try container.decode([String].self, forKey: .endpointNames)
        isEnabled = try container.decodeIfPresent(Bool.self, forKey: .isEnabled) ?? true
    }
}

/// The fallback route: device messages that match no enabled route go to the built-in endpoint (on by default).
public struct FallbackRouteConfiguration: Codable, Sendable, Equatable {
    /// `$fallback`.
    public var name: String
    /// Always DeviceMessages.
    public var source: RoutingSource
    /// Routing query applied to unmatched messages; `true` by default.
    public var condition: String
    /// `["events"]` by default.
    public var endpointNames: [String]
    /// On by default.
    public var isEnabled: Bool

    /// The default fallback route.
    public init(name: String = "$fallback", condition: String = "true", endpointNames: [String] = [BuiltInEndpoint.name],
                isEnabled: Bool = true) {
        self.name = name
        self.source = .deviceMessages
        self.condition = condition
        self.endpointNames = endpointNames
        self.isEnabled = isEnabled
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, source, condition, endpointNames, isEnabled
    }

    /// Decodes strictly; omitted members keep their defaults.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownRoutingKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = FallbackRouteConfiguration()
        name = try container.decodeIfPresent(String.self, forKey: .name) ?? defaults.name
        source = try container.decodeIfPresent(RoutingSource.self, forKey: .source) ?? .deviceMessages
        condition = try container.decodeIfPresent(String.self, forKey: .condition) ?? defaults.condition
        endpointNames = try container.decodeIfPresent([String].self, forKey: .endpointNames) ?? defaults.endpointNames
        isEnabled = try container.decodeIfPresent(Bool.self, forKey: .isEnabled) ?? defaults.isEnabled
    }
}

/// An enrichment: an application property stamped on device messages delivered to `endpointNames`.
public struct EnrichmentConfiguration: Codable, Sendable, Equatable {
    /// The application property name.
    public var key: String
    /// A static value, or `$iothubname`, `$twin.tags.x`, `$twin.properties.desired.x`, `$twin.properties.reported.x`.
    public var value: String
    /// The endpoints whose messages get it.
    public var endpointNames: [String]

    /// Creates an enrichment.
    public init(key: String, value: String, endpointNames: [String]) {
        self.key = key
        self.value = value
        self.endpointNames = endpointNames
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case key, value, endpointNames
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownRoutingKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        key = try container.decode(String.self, forKey: .key)
        value = try container.decode(String.self, forKey: .value)
        endpointNames = try container.decode([String].self, forKey: .endpointNames)
    }
}
