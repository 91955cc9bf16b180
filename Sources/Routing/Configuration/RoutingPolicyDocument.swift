import Foundation
import Yams

/// A `Policies/routing-*.yaml` file: `apiVersion: provisio/v1`, `kind: RoutingPolicy`, optionally the `hubs` it
/// applies to (all shards when omitted), and the routing configuration's members at the top level.
public struct RoutingPolicyDocument: Codable, Sendable, Equatable {
    /// Always `provisio/v1`.
    public var apiVersion: String
    /// Always `RoutingPolicy`.
    public var kind: String
    /// Shard names it applies to; nil for every shard.
    public var hubs: [String]?
    /// The routing.
    public var routing: RoutingConfiguration

    /// Creates a document.
    public init(hubs: [String]? = nil, routing: RoutingConfiguration) {
        apiVersion = "provisio/v1"
        kind = "RoutingPolicy"
        self.hubs = hubs
        self.routing = routing
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case apiVersion, kind, hubs, endpoints, routes, fallbackRoute, enrichments
    }

    /// Decodes strictly.
    public init(from decoder: any Decoder) throws {
        try decoder.rejectUnknownRoutingKeys(CodingKeys.self)
        let container = try decoder.container(keyedBy: CodingKeys.self)
        apiVersion = try container.decode(String.self, forKey: .apiVersion)
        kind = try container.decode(String.self, forKey: .kind)
        hubs = try container.decodeIfPresent([String].self, forKey: .hubs)
        routing = RoutingConfiguration(
            endpoints: try container.decodeIfPresent([RoutingEndpointConfiguration].self, forKey: .endpoints) ?? [],
            routes: try container.decodeIfPresent([RouteConfiguration].self, forKey: .routes) ?? [],
            fallbackRoute: try container.decodeIfPresent(FallbackRouteConfiguration.self, forKey: .fallbackRoute) ?? .init(),
            enrichments: try container.decodeIfPresent([EnrichmentConfiguration].self, forKey: .enrichments) ?? [])
    }

    /// Encodes flat, mirroring the decoder.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(apiVersion, forKey: .apiVersion)
        try container.encode(kind, forKey: .kind)
        try container.encodeIfPresent(hubs, forKey: .hubs)
        try container.encode(routing.endpoints, forKey: .endpoints)
        try container.encode(routing.routes, forKey: .routes)
        try container.encode(routing.fallbackRoute, forKey: .fallbackRoute)
        try container.encode(routing.enrichments, forKey: .enrichments)
    }

    /// Whether it applies to `shard`.
    public func applies(to shard: String) -> Bool {
        hubs.map { $0.contains(shard) } ?? true
    }

    /// Parses YAML text and checks the version, kind and the routing itself (conditions compile).
    public static func parse(yaml: String, source: String) throws(RoutingConfigurationError) -> RoutingPolicyDocument {
        let document: RoutingPolicyDocument
        do {
            document = try YAMLDecoder().decode(RoutingPolicyDocument.self, from: yaml)
        } catch let error as DecodingError {
            throw RoutingConfigurationError("\(source): \(RoutingDecodingText.describe(error))")
        } catch {
            throw RoutingConfigurationError("\(source): not valid YAML: \(error)")
        }
        guard document.apiVersion == "provisio/v1" else {
            throw RoutingConfigurationError("\(source): apiVersion must be provisio/v1, not \(document.apiVersion)")
        }
        guard document.kind == "RoutingPolicy" else {
            throw RoutingConfigurationError("\(source): kind must be RoutingPolicy, not \(document.kind)")
        }
        do {
            _ = try RoutingTable(document.routing)
        } catch {
            throw RoutingConfigurationError("\(source): \(error.message)", route: error.route, position: error.position, reason: error.reason)
        }
        return document
    }

    /// Every `routing-*.yaml` in `directory`, sorted by file name; none when the directory does not exist.
    public static func load(directory: URL) throws(RoutingConfigurationError) -> [RoutingPolicyDocument] {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [])
            .filter { $0.hasPrefix("routing-") && ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) }
            .sorted()
        var documents: [RoutingPolicyDocument] = []
        for name in names {
            let file = directory.appendingPathComponent(name)
            guard let text = try? String(contentsOf: file, encoding: .utf8) else {
                throw RoutingConfigurationError("cannot read \(file.path)")
            }
            documents.append(try parse(yaml: text, source: file.path))
        }
        return documents
    }
}
