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
