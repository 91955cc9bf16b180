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
