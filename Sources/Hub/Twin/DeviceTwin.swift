import Foundation
import Provisioning

/// A device twin's stored parts: tags (service-only), desired and reported properties with their versions.
public struct DeviceTwin: Codable, Sendable, Equatable {
    /// Tags.
    public var tags: [String: JSONValue]
    /// Desired properties (without `$version`/`$metadata`).
    public var desired: [String: JSONValue]
    /// Desired version, incremented on every change.
    public var desiredVersion: Int
    /// Reported properties.
    public var reported: [String: JSONValue]
    /// Reported version.
    public var reportedVersion: Int
    /// Twin version (all changes).
    public var version: Int
    /// Version tag.
    public var etag: String
    /// `$lastUpdated` per top-level desired property (ISO 8601).
    public var desiredUpdated: [String: String]?
    /// `$lastUpdated` per top-level reported property (ISO 8601).
    public var reportedUpdated: [String: String]?
    /// The Plug and Play model (DTMI) the device announced when it last connected with one.
    public var modelId: String?

    /// An empty twin.
    public init(etag: String) {
        tags = [:]
        desired = [:]
        desiredVersion = 1
        reported = [:]
        reportedVersion = 1
        version = 1
        self.etag = etag
    }

    /// Applies an initial twin document `{"tags":…, "properties":{"desired":…}}`; merge adds to what is there.
    public mutating func apply(initialTwin: JSONValue?, replace: Bool, now: Date) {
        let newTags = initialTwin?["tags"]?.objectValue ?? [:]
        let newDesired = initialTwin?["properties"]?["desired"]?.objectValue?.filter { !$0.key.hasPrefix("$") } ?? [:]
        let stamp = RegistrationTimestamp.string(now)
        var stamps = replace ? [:] : (desiredUpdated ?? [:])
        for key in newDesired.keys { stamps[key] = stamp }
        desiredUpdated = stamps
        if replace {
            tags = newTags
            desired = newDesired
            reported = [:]
            reportedUpdated = [:]
        } else {
            tags.merge(newTags) { _, new in new }
            desired.merge(newDesired) { _, new in new }
        }
        desiredVersion += 1
        version += 1
    }

    /// The `{"tags":…, "properties":{"desired":…}}` document (for migration between hubs).
    public var document: JSONValue {
        .object(["tags": .object(tags), "properties": .object(["desired": .object(desired)])])
    }
}
