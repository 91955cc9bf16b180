import Provisioning

/// What a client asks for in `PUT /configurations/{id}`, validated: id, content paths, condition and metric queries.
public struct ConfigurationSpecification: Sendable, Equatable {
    /// Longest configuration id (IoT Hub: 128).
    public static let maximumIdLength = 128
    /// Most custom metric queries per configuration.
    public static let maximumMetricQueries = 5
    /// Most content paths per configuration.
    public static let maximumContentPaths = 100

    /// Configuration id.
    public var id: String
    /// Schema version.
    public var schemaVersion: String
    /// Labels.
    public var labels: [String: String]
    /// `"properties.desired.x"` paths and values.
    public var deviceContent: [String: JSONValue]
    /// Module twin content.
    public var moduleContent: [String: JSONValue]
    /// Per-module content.
    public var modulesContent: [String: JSONValue]
    /// Target condition.
    public var targetCondition: String
    /// Priority.
    public var priority: Int
    /// Custom metric queries.
    public var metricQueries: [String: String]

    /// Reads and validates a `Configuration` document; `id` is the one in the URL (the body's, if present, must agree).
    public init(id: String, document: JSONValue) throws(HubError) {
        try Self.validate(id: id)
        guard let members = document.objectValue else { throw .badRequest("a configuration must be a JSON object") }
        if let bodyId = members["id"], bodyId != .null, bodyId != .string(id) {
            throw .badRequest("the configuration id in the body does not match the one in the URL")
        }
        self.id = id
        schemaVersion = try Self.string(members["schemaVersion"], name: "schemaVersion") ?? "1.0"
        labels = [:]
        if let value = members["labels"], value != .null {
            guard let object = value.objectValue else { throw .badRequest("'labels' must be an object of strings") }
            for (key, label) in object {
                guard case .string(let text) = label else { throw .badRequest("label '\(key)' must be a string") }
                labels[key] = text
            }
        }
        let content = members["content"] ?? .null
        guard content == .null || content.objectValue != nil else { throw .badRequest("'content' must be an object") }
        deviceContent = try Self.object(content["deviceContent"], name: "content.deviceContent")
        moduleContent = try Self.object(content["moduleContent"], name: "content.moduleContent")
        modulesContent = try Self.object(content["modulesContent"], name: "content.modulesContent")
        guard deviceContent.count + moduleContent.count <= Self.maximumContentPaths else {
            throw .badRequest("a configuration may set at most \(Self.maximumContentPaths) paths")
        }
        for path in deviceContent.keys { _ = try ConfigurationContentPath(path) }
        targetCondition = try Self.string(members["targetCondition"], name: "targetCondition") ?? ""
        _ = try ConfigurationCondition(targetCondition: targetCondition)
        switch members["priority"] {
        case nil, .null?: priority = 0
        case .number(let number)?:
            guard number.rounded() == number, number >= 0, number <= Double(Int32.max) else {
                throw .badRequest("'priority' must be a whole number from 0 to \(Int32.max)")
            }
            priority = Int(number)
        default: throw .badRequest("'priority' must be a number")
        }
        metricQueries = [:]
        let queries = try Self.object(members["metrics"]?["queries"], name: "metrics.queries")
        guard queries.count <= Self.maximumMetricQueries else {
            throw .badRequest("a configuration may define at most \(Self.maximumMetricQueries) metric queries")
        }
        for (name, query) in queries {
            guard case .string(let text) = query else { throw .badRequest("metric query '\(name)' must be a string") }
            _ = try ConfigurationCondition(metricQuery: text, name: name)
            metricQueries[name] = text
        }
    }

    /// IoT Hub's rule: up to 128 lower-case letters, digits and `-:+%_#*?!(),=@;$'.`.
    public static func validate(id: String) throws(HubError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-:+%_#*?!(),=@;$'.")
        guard !id.isEmpty, id.count <= maximumIdLength, id.allSatisfy({ allowed.contains($0) }) else {
            throw .badRequest("a configuration id is 1 to \(maximumIdLength) lower-case letters, digits or -:+%_#*?!(),=@;$'.")
        }
    }

    private static func string(_ value: JSONValue?, name: String) throws(HubError) -> String? {
        switch value {
        case nil, .null?: return nil
        case .string(let text)?: return text
        default: throw .badRequest("'\(name)' must be a string")
        }
    }

    private static func object(_ value: JSONValue?, name: String) throws(HubError) -> [String: JSONValue] {
        switch value {
        case nil, .null?: return [:]
        case .object(let members)?: return members
        default: throw .badRequest("'\(name)' must be an object")
        }
    }
}
