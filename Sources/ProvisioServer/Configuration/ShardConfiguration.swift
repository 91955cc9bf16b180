/// One bundled hub shard: its name, endpoint, allocation weight and region.
public struct ShardConfiguration: Codable, Sendable, Equatable {
    /// Shard name (`hub-1`); names the shard in the CLI and the data directory.
    public var name: String
    /// Where devices and back ends reach it.
    public var endpoint: EndpointConfiguration
    /// Allocation weight for hashed allocation (0 excludes it from policy-driven allocation).
    public var weight: Int = 1
    /// Region label for geo-latency allocation.
    public var region: String = "local"
    /// Configured latency for geo-latency allocation (lowest wins; unset counts as unknown).
    public var latencyMilliseconds: Double?

    /// The default shard *n*: `hub-n` on 127.0.0.(n+1).
    public static func loopbackDefault(number: Int) -> ShardConfiguration {
        ShardConfiguration(name: "hub-\(number)", endpoint: EndpointConfiguration(hostName: "127.0.0.\(number + 1)"))
    }

    /// Creates a shard.
    public init(name: String, endpoint: EndpointConfiguration, weight: Int = 1, region: String = "local") {
        self.name = name
        self.endpoint = endpoint
        self.weight = weight
        self.region = region
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, hostName, listenAddress, mqttPort, amqpPort, httpsPort, weight, region, latencyMilliseconds
    }

    /// Decodes strictly; the endpoint keys sit flat beside the name.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        endpoint = try EndpointConfiguration.decodeFlat(
            from: container, hostName: .hostName, listenAddress: .listenAddress, mqttPort: .mqttPort, amqpPort: .amqpPort,
            httpsPort: .httpsPort)
        weight = try container.decodeIfPresent(Int.self, forKey: .weight) ?? 1
        region = try container.decodeIfPresent(String.self, forKey: .region) ?? "local"
        latencyMilliseconds = try container.decodeIfPresent(Double.self, forKey: .latencyMilliseconds)
    }

    /// Encodes flat, mirroring the decoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(name, forKey: .name)
        try container.encode(endpoint.hostName, forKey: .hostName)
        try container.encodeIfPresent(endpoint.listenAddress, forKey: .listenAddress)
        try container.encode(endpoint.mqttPort, forKey: .mqttPort)
        try container.encode(endpoint.amqpPort, forKey: .amqpPort)
        try container.encode(endpoint.httpsPort, forKey: .httpsPort)
        try container.encode(weight, forKey: .weight)
        try container.encode(region, forKey: .region)
        try container.encodeIfPresent(latencyMilliseconds, forKey: .latencyMilliseconds)
    }

    func validate() throws {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard !name.isEmpty, name.count <= 50, allowed else {
            throw ConfigurationError("shard name '\(name)' must be 1–50 lower-case letters, digits or '-'")
        }
        guard (0...1000).contains(weight) else { throw ConfigurationError("shard \(name): weight must be 0–1000") }
        try endpoint.validate(label: "shard \(name)")
    }
}
