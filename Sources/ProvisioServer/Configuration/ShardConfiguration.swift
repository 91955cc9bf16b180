import Hub

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
    /// File upload: notifications on or off (`fileNotifications`, default on), size limit (`maxFileUploadBytes`), SAS
    /// lifetime (`fileUploadSasLifetimeSeconds`, default 3600) and retention (`fileRetentionDays`, default: keep).
    public var fileUpload = FileUploadSettings()

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
        case fileNotifications, maxFileUploadBytes, fileUploadSasLifetimeSeconds, fileRetentionDays
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
        fileUpload.notificationsEnabled = try container.decodeIfPresent(Bool.self, forKey: .fileNotifications) ?? true
        fileUpload.maximumFileBytes = try container.decodeIfPresent(Int64.self, forKey: .maxFileUploadBytes) ?? fileUpload.maximumFileBytes
        fileUpload.sasLifetime = try container.decodeIfPresent(Double.self, forKey: .fileUploadSasLifetimeSeconds) ?? fileUpload.sasLifetime
        fileUpload.retention = try container.decodeIfPresent(Double.self, forKey: .fileRetentionDays).map { $0 * 86_400 }
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
        // File-upload keys only when they differ from the defaults, so existing configurations read back unchanged.
        let defaults = FileUploadSettings()
        if fileUpload.notificationsEnabled != defaults.notificationsEnabled {
            try container.encode(fileUpload.notificationsEnabled, forKey: .fileNotifications)
        }
        if fileUpload.maximumFileBytes != defaults.maximumFileBytes { try container.encode(fileUpload.maximumFileBytes, forKey: .maxFileUploadBytes) }
        if fileUpload.sasLifetime != defaults.sasLifetime { try container.encode(fileUpload.sasLifetime, forKey: .fileUploadSasLifetimeSeconds) }
        try container.encodeIfPresent(fileUpload.retention.map { $0 / 86_400 }, forKey: .fileRetentionDays)
    }

    func validate() throws {
        let allowed = name.unicodeScalars.allSatisfy { ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" }
        guard !name.isEmpty, name.count <= 50, allowed else {
            throw ConfigurationError("shard name '\(name)' must be 1–50 lower-case letters, digits or '-'")
        }
        guard (0...1000).contains(weight) else { throw ConfigurationError("shard \(name): weight must be 0–1000") }
        try endpoint.validate(label: "shard \(name)")
        guard fileUpload.maximumFileBytes > 0 else { throw ConfigurationError("shard \(name): maxFileUploadBytes must be positive") }
        guard (1...86_400).contains(fileUpload.sasLifetime) else {
            throw ConfigurationError("shard \(name): fileUploadSasLifetimeSeconds must be 1–86400")
        }
        if let retention = fileUpload.retention, retention <= 0 { throw ConfigurationError("shard \(name): fileRetentionDays must be positive") }
    }
}
