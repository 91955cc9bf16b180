import Foundation
import Provisioning

/// An automatic device configuration: desired properties that every twin matching `targetCondition` converges to,
/// the highest `priority` winning per property path (ties: the most recently created).
public struct DeviceConfiguration: Codable, Sendable, Equatable {
    /// Configuration id (lower case, like IoT Hub's).
    public var id: String
    /// Schema version as the client sent it (`1.0`).
    public var schemaVersion: String
    /// Free-form labels.
    public var labels: [String: String]
    /// Device twin content: `"properties.desired.x"` paths and their values.
    public var deviceContent: [String: JSONValue]
    /// Module twin content, kept and returned (module twins are not converged yet).
    public var moduleContent: [String: JSONValue]
    /// Per-module content (IoT Edge), kept and returned.
    public var modulesContent: [String: JSONValue]
    /// The twin condition selecting targeted devices (`tags.x = 'y'`); `*` targets every device, empty none.
    public var targetCondition: String
    /// Precedence among configurations that set the same path.
    public var priority: Int
    /// Custom metric queries by name (`SELECT deviceId FROM devices WHERE …`).
    public var metricQueries: [String: String]
    /// Custom metric counts, as last evaluated.
    public var metricResults: [String: Int]
    /// Targeted and applied counts, as last evaluated.
    public var systemMetricResults: [String: Int]
    /// Creation time; also orders configurations of equal priority.
    public var created: Date
    /// Last change of the configuration (not of its metrics).
    public var lastUpdated: Date
    /// Version tag, new on every change of the configuration.
    public var etag: String

    /// Creates a configuration from a validated specification.
    public init(_ specification: ConfigurationSpecification, created: Date, etag: String) {
        id = specification.id
        schemaVersion = specification.schemaVersion
        labels = specification.labels
        deviceContent = specification.deviceContent
        moduleContent = specification.moduleContent
        modulesContent = specification.modulesContent
        targetCondition = specification.targetCondition
        priority = specification.priority
        metricQueries = specification.metricQueries
        metricResults = [:]
        systemMetricResults = ["targetedCount": 0, "appliedCount": 0]
        self.created = created
        lastUpdated = created
        self.etag = etag
    }

    /// Whether this configuration's content wins over `other`'s on a path both set.
    public func takesPrecedence(over other: DeviceConfiguration) -> Bool {
        if priority != other.priority { return priority > other.priority }
        if created != other.created { return created > other.created }
        return id < other.id
    }

    /// The queries IoT Hub shows for the system metrics.
    var systemMetricQueries: [String: String] {
        let condition = targetCondition.trimmingCharacters(in: .whitespaces)
        let targeted = condition == "*" ? "SELECT deviceId FROM devices" : "SELECT deviceId FROM devices WHERE \(condition)"
        return ["targetedCount": targeted, "appliedCount": "\(targeted) (with this configuration's content applied)"]
    }

    /// The wire document (`Configuration` of the service API).
    public var document: JSONValue {
        var content: [String: JSONValue] = [:]
        if !deviceContent.isEmpty { content["deviceContent"] = .object(deviceContent) }
        if !moduleContent.isEmpty { content["moduleContent"] = .object(moduleContent) }
        if !modulesContent.isEmpty { content["modulesContent"] = .object(modulesContent) }
        return .object([
            "id": .string(id),
            "schemaVersion": .string(schemaVersion),
            "labels": .object(labels.mapValues { .string($0) }),
            "content": .object(content),
            "contentType": .string("assignment"),
            "targetCondition": .string(targetCondition),
            "createdTimeUtc": .string(RegistrationTimestamp.string(created)),
            "lastUpdatedTimeUtc": .string(RegistrationTimestamp.string(lastUpdated)),
            "priority": .number(Double(priority)),
            "systemMetrics": Self.metrics(results: systemMetricResults, queries: systemMetricQueries),
            "metrics": Self.metrics(results: metricResults, queries: metricQueries),
            "etag": .string(etag),
        ])
    }

    private static func metrics(results: [String: Int], queries: [String: String]) -> JSONValue {
        .object(["results": .object(results.mapValues { .number(Double($0)) }), "queries": .object(queries.mapValues { .string($0) })])
    }
}
