import Foundation
import Yams

/// What `provisio serve` runs: listeners, shards, logging. Decoded from YAML (`--config`); every field has a default.
public struct ServerConfiguration: Codable, Sendable, Equatable {
    /// Always `provisio/v1`.
    public var apiVersion: String = "provisio/v1"
    /// Always `ServerConfiguration`.
    public var kind: String = "ServerConfiguration"
    /// Log level: trace, debug, info, notice, warning, error, critical.
    public var logLevel: String = "info"
    /// The DPS endpoint.
    public var dps: DPSConfiguration = .init(endpoint: .init(hostName: "127.0.0.1"))
    /// The bundled hub shards.
    public var shards: [ShardConfiguration] = (1...3).map { ShardConfiguration.loopbackDefault(number: $0) }
    /// Resource bounds: timeouts, connection limits, unauthenticated rates, TPM challenges, uncommitted telemetry.
    public var limits: LimitsConfiguration = .init()

    /// The embedded default: DPS on 127.0.0.1, three shards on 127.0.0.2–4, MQTT 8883, AMQP 5671, HTTPS 443 (8443 without
    /// the privilege to bind 443).
    public init() {}

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, logLevel, dps, shards, limits
    }

    /// Decodes strictly: unknown keys are errors; missing keys keep their defaults.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = ServerConfiguration()
        apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion) ?? defaults.apiVersion
        kind = try container.decodeIfPresent(String.self, forKey: .kind) ?? defaults.kind
        logLevel = try container.decodeIfPresent(String.self, forKey: .logLevel) ?? defaults.logLevel
        dps = try container.decodeIfPresent(DPSConfiguration.self, forKey: .dps) ?? defaults.dps
        shards = try container.decodeIfPresent([ShardConfiguration].self, forKey: .shards) ?? defaults.shards
        limits = try container.decodeIfPresent(LimitsConfiguration.self, forKey: .limits) ?? defaults.limits
    }

    /// Loads and validates a YAML file.
    public static func load(file: URL) throws -> ServerConfiguration {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw ConfigurationError("cannot read \(file.path): \(error.localizedDescription)")
        }
        return try parse(yaml: text, source: file.path)
    }

    /// Parses and validates YAML text.
    public static func parse(yaml: String, source: String = "configuration") throws -> ServerConfiguration {
        let configuration: ServerConfiguration
        do {
            configuration = try YAMLDecoder().decode(ServerConfiguration.self, from: yaml)
        } catch let error as DecodingError {
            throw ConfigurationError("\(source): \(ConfigurationError.describe(error))")
        } catch {
            throw ConfigurationError("\(source): not valid YAML: \(error)")
        }
        try configuration.validate()
        return configuration
    }

    /// Checks the values a YAML decoder cannot: versions, names, ports, addresses, uniqueness.
    public func validate() throws {
        guard apiVersion == "provisio/v1" else { throw ConfigurationError("apiVersion must be provisio/v1, not \(apiVersion)") }
        guard kind == "ServerConfiguration" else { throw ConfigurationError("kind must be ServerConfiguration, not \(kind)") }
        let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]
        guard levels.contains(logLevel) else { throw ConfigurationError("logLevel must be one of \(levels.joined(separator: ", "))") }
        guard !shards.isEmpty else { throw ConfigurationError("at least one shard is required") }
        try dps.validate()
        try limits.validate()
        var names = Set<String>()
        var hostNames = Set<String>()
        for shard in shards {
            try shard.validate()
            guard names.insert(shard.name).inserted else { throw ConfigurationError("shard name \(shard.name) is used twice") }
            guard hostNames.insert(shard.endpoint.hostName.lowercased()).inserted else {
                throw ConfigurationError("shard host name \(shard.endpoint.hostName) is used twice")
            }
        }
        var sockets = Set<String>()
        for (label, endpoint) in [("dps", dps.endpoint)] + shards.map({ ($0.name, $0.endpoint) }) {
            for port in endpoint.listenerPorts where port != 0 {
                let socket = "\(endpoint.effectiveListenAddress):\(port)"
                guard sockets.insert(socket).inserted else {
                    throw ConfigurationError("\(label): \(socket) is already used by another listener")
                }
            }
        }
    }
}

/// An error in a configuration file, with the path to the offending key.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible, Equatable {
    /// What is wrong.
    public var message: String
    /// Creates an error.
    public init(_ message: String) { self.message = message }
    /// The message.
    public var description: String { message }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .dataCorrupted(let context): return "\(path(context)): \(context.debugDescription)"
        case .keyNotFound(let key, let context): return "\(path(context)): missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context): return "\(path(context)): \(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}
