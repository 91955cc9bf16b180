import Foundation

/// The kind of a routing endpoint.
public enum RoutingEndpointKind: String, Codable, Sendable, CaseIterable {
    /// A durable, partitioned event log read with the events API (the built-in `events` is one).
    case eventLog
    /// HTTP(S) POST of each event (or a JSON array of events) with retries and dead-lettering.
    case webhook
    /// JSON-lines files in a directory, batched by size or time.
    case storage
}

/// One endpoint and its settings; settings of other kinds are rejected.
public struct RoutingEndpointConfiguration: Codable, Sendable, Equatable {
    /// Unique name (`events` is the built-in event log).
    public var name: String
    /// Its kind.
    public var type: RoutingEndpointKind

    /// Event logs, webhooks and storage: partitions, chosen by device id (default 4).
    public var partitionCount: Int?
    /// Event logs: events older than this are removed (default 86 400 s).
    public var retentionSeconds: Int?
    /// Event logs: oldest events are removed while a partition holds more than this (default 1 GiB).
    public var retentionBytes: Int?

    /// Webhooks: `http://` or `https://` URL.
    public var url: String?
    /// Webhooks: extra request headers (authentication goes here, e.g. `Authorization: Bearer …`).
    public var headers: [String: String]?
    /// Webhooks: attempts per request before its events are dead-lettered (default 10).
    public var maxAttempts: Int?
    /// Webhooks: events per request; 1 (default) posts one event object, more post a JSON array.
    public var batchSize: Int?
    /// Webhooks: first retry delay; doubles per attempt (default 1 s).
    public var retryInitialSeconds: Double?
    /// Webhooks: longest retry delay (default 60 s).
    public var retryMaximumSeconds: Double?
    /// Webhooks: per-request timeout (default 30 s).
    public var timeoutSeconds: Double?
    /// Webhooks: PEM file of the CAs to trust for `https` (default: the system's trust store).
    public var trustBundle: String?

    /// Storage: the directory files are written under.
    public var directory: String?
    /// Storage: a file is written at the latest this long after its first event arrived (default 60 s).
    public var batchSeconds: Int?
    /// Storage: a file is written as soon as this many bytes are pending (default 10 MiB).
    public var batchBytes: Int?

    /// Creates an endpoint.
    public init(name: String, type: RoutingEndpointKind) {
        self.name = name
        self.type = type
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, type, partitionCount, retentionSeconds, retentionBytes
        case url, headers, maxAttempts, batchSize, retryInitialSeconds, retryMaximumSeconds, timeoutSeconds, trustBundle
        case directory, batchSeconds, batchBytes
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownRoutingKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        name = try container.decode(String.self, forKey: .name)
        type = try container.decode(RoutingEndpointKind.self, forKey: .type)
        partitionCount = try container.decodeIfPresent(Int.self, forKey: .partitionCount)
        retentionSeconds = try container.decodeIfPresent(Int.self, forKey: .retentionSeconds)
        retentionBytes = try container.decodeIfPresent(Int.self, forKey: .retentionBytes)
        url = try container.decodeIfPresent(String.self, forKey: .url)
        headers = try container.decodeIfPresent([String: String].self, forKey: .headers)
        maxAttempts = try container.decodeIfPresent(Int.self, forKey: .maxAttempts)
        batchSize = try container.decodeIfPresent(Int.self, forKey: .batchSize)
        retryInitialSeconds = try container.decodeIfPresent(Double.self, forKey: .retryInitialSeconds)
        retryMaximumSeconds = try container.decodeIfPresent(Double.self, forKey: .retryMaximumSeconds)
        timeoutSeconds = try container.decodeIfPresent(Double.self, forKey: .timeoutSeconds)
        trustBundle = try container.decodeIfPresent(String.self, forKey: .trustBundle)
        directory = try container.decodeIfPresent(String.self, forKey: .directory)
        batchSeconds = try container.decodeIfPresent(Int.self, forKey: .batchSeconds)
        batchBytes = try container.decodeIfPresent(Int.self, forKey: .batchBytes)
    }

    // MARK: Effective settings

    /// Partitions in use.
    public var effectivePartitionCount: Int { partitionCount ?? 4 }
    /// Retention by age.
    public var effectiveRetentionSeconds: Int { retentionSeconds ?? 86_400 }
    /// Retention by size, per partition.
    public var effectiveRetentionBytes: Int { retentionBytes ?? 1 << 30 }
    /// Attempts before dead-lettering.
    public var effectiveMaxAttempts: Int { maxAttempts ?? 10 }
    /// Events per webhook request.
    public var effectiveBatchSize: Int { batchSize ?? 1 }
    /// First retry delay.
    public var effectiveRetryInitialSeconds: Double { retryInitialSeconds ?? 1 }
    /// Longest retry delay.
    public var effectiveRetryMaximumSeconds: Double { retryMaximumSeconds ?? 60 }
    /// Per-request timeout.
    public var effectiveTimeoutSeconds: Double { timeoutSeconds ?? 30 }
    /// Storage flush age.
    public var effectiveBatchSeconds: Int { batchSeconds ?? 60 }
    /// Storage flush size.
    public var effectiveBatchBytes: Int { batchBytes ?? 10 << 20 }

    /// The built-in endpoint with default settings.
    public static var builtIn: RoutingEndpointConfiguration { RoutingEndpointConfiguration(name: BuiltInEndpoint.name, type: .eventLog) }

    /// Names a user endpoint may not take: they are path segments of the events API.
    static let reservedNames: Set<String> = ["partitions", "consumergroups", "stream", "deadletters", "metrics"]

    /// Checks names, kinds and settings.
    func validate() throws(RoutingConfigurationError) {
        guard name.range(of: #"^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$"#, options: .regularExpression) != nil else {
            throw RoutingConfigurationError("endpoint name '\(name)' must be 1–64 letters, digits, '.', '_' or '-', starting with a letter or digit")
        }
        guard !Self.reservedNames.contains(name.lowercased()) else {
            throw RoutingConfigurationError("endpoint name '\(name)' is reserved")
        }
        if name == BuiltInEndpoint.name, type != .eventLog {
            throw RoutingConfigurationError("the built-in endpoint 'events' is an eventLog")
        }
        if let partitionCount, !(1...32).contains(partitionCount) {
            throw RoutingConfigurationError("endpoint '\(name)': partitionCount must be 1–32")
        }
        let present: [(String, Bool)] = [
            ("retentionSeconds", retentionSeconds != nil), ("retentionBytes", retentionBytes != nil), ("url", url != nil),
            ("headers", headers != nil), ("maxAttempts", maxAttempts != nil), ("batchSize", batchSize != nil),
            ("retryInitialSeconds", retryInitialSeconds != nil), ("retryMaximumSeconds", retryMaximumSeconds != nil),
            ("timeoutSeconds", timeoutSeconds != nil), ("trustBundle", trustBundle != nil), ("directory", directory != nil),
            ("batchSeconds", batchSeconds != nil), ("batchBytes", batchBytes != nil),
        ]
        let allowed: Set<String> = switch type {
        case .eventLog: ["retentionSeconds", "retentionBytes"]
        case .webhook: ["url", "headers", "maxAttempts", "batchSize", "retryInitialSeconds", "retryMaximumSeconds", "timeoutSeconds", "trustBundle"]
        case .storage: ["directory", "batchSeconds", "batchBytes"]
        }
        if let misplaced = present.first(where: { $0.1 && !allowed.contains($0.0) }) {
            throw RoutingConfigurationError("endpoint '\(name)': \(misplaced.0) is not a setting of a \(type.rawValue) endpoint")
        }
        // Every number is range-checked here, when it is written (PUT /routing, Policies/ files, a stored routing at
        // start-up), so no use site converts or multiplies a value a client chose past what its type holds.
        func check<Value: Comparable>(_ setting: String, _ value: Value, _ range: ClosedRange<Value>, _ text: String) throws(RoutingConfigurationError) {
            guard range.contains(value) else { throw RoutingConfigurationError("endpoint '\(name)': \(setting) must be \(text)") }
        }
        switch type {
        case .eventLog:
            try check("retentionSeconds", effectiveRetentionSeconds, Self.retentionSecondsRange, "1–315360000 (10 years)")
            try check("retentionBytes", effectiveRetentionBytes, Self.retentionBytesRange, "1024–1099511627776 (1 TiB)")
        case .webhook:
            guard let url, url.utf8.count <= 2048, let parsed = URL(string: url), ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""),
                  parsed.host != nil else {
                throw RoutingConfigurationError("endpoint '\(name)': a webhook needs an http:// or https:// url of at most 2048 bytes")
            }
            try Self.validate(headers: headers ?? [:], endpoint: name)
            try check("maxAttempts", effectiveMaxAttempts, 1...1000, "1–1000")
            try check("batchSize", effectiveBatchSize, 1...500, "1–500")
            try check("retryInitialSeconds", effectiveRetryInitialSeconds, Self.retrySecondsRange, "0.001–86400")
            try check("retryMaximumSeconds", effectiveRetryMaximumSeconds, Self.retrySecondsRange, "0.001–86400")
            if effectiveRetryMaximumSeconds < effectiveRetryInitialSeconds {
                throw RoutingConfigurationError("endpoint '\(name)': retryMaximumSeconds must be at least retryInitialSeconds")
            }
            try check("timeoutSeconds", effectiveTimeoutSeconds, Self.timeoutSecondsRange, "0.001–3600")
        case .storage:
            guard let directory, !directory.isEmpty else {
                throw RoutingConfigurationError("endpoint '\(name)': a storage endpoint needs a directory")
            }
            try check("batchSeconds", effectiveBatchSeconds, 1...3600, "1–3600")
            try check("batchBytes", effectiveBatchBytes, 1...(1 << 30), "1–1073741824 (1 GiB)")
        }
    }

    /// Event logs: retention by age, 1 s to 10 years.
    static let retentionSecondsRange = 1...315_360_000
    /// Event logs: retention by size, 1 KiB to 1 TiB per partition.
    static let retentionBytesRange = 1024...(1 << 40)
    /// Webhooks: retry delays, 1 ms to a day (a NaN or infinity from YAML is outside every range).
    static let retrySecondsRange = 0.001...86_400.0
    /// Webhooks: per-request timeout, 1 ms to an hour.
    static let timeoutSecondsRange = 0.001...3600.0

    /// Header names are HTTP tokens and values hold no control characters (no CR/LF injection into the request);
    /// at most 32 headers of 8 KiB each.
    static func validate(headers: [String: String], endpoint: String) throws(RoutingConfigurationError) {
        guard headers.count <= 32 else { throw RoutingConfigurationError("endpoint '\(endpoint)': at most 32 headers") }
        let tokenSymbols = Set("!#$%&'*+-.^_`|~".utf8)
        for (name, value) in headers {
            let validName = !name.isEmpty && name.utf8.count <= 256 && name.utf8.allSatisfy {
                ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || ($0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z"))
                    || ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || tokenSymbols.contains($0)
            }
            guard validName else {
                throw RoutingConfigurationError("endpoint '\(endpoint)': header names must be 1–256 letters, digits or !#$%&'*+-.^_`|~")
            }
            // The value itself is never echoed: it may be a credential.
            guard value.utf8.count <= 8192, value.utf8.allSatisfy({ $0 == 0x09 || ($0 >= 0x20 && $0 != 0x7F) }) else {
                throw RoutingConfigurationError("endpoint '\(endpoint)': the value of header '\(name)' must be at most 8192 bytes without control characters")
            }
        }
    }
}
