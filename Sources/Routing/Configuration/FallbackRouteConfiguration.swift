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
