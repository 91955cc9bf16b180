import Foundation
import Provisioning

extension DeviceTwin {
    /// Largest desired or reported section (IoT Hub: 32 KB).
    public static let maximumPropertiesSize = 32 * 1024
    /// Largest tags section (IoT Hub: 8 KB).
    public static let maximumTagsSize = 8 * 1024

    /// The device's view: `{"desired": {…, "$version"}, "reported": {…, "$version"}}`.
    public var devicePropertiesDocument: JSONValue {
        .object(["desired": section(desired, version: desiredVersion, updated: desiredUpdated),
                 "reported": section(reported, version: reportedVersion, updated: reportedUpdated)])
    }

    /// Applies a reported-properties patch from the device (`null` removes a member); returns the new version.
    public mutating func patchReported(_ patch: [String: JSONValue], now: Date) throws(HubError) -> Int {
        try TwinMemberLimits.check(patch, section: "reported properties")
        var updated = reported
        Self.merge(patch, into: &updated)
        try Self.checkSize(updated, limit: Self.maximumPropertiesSize, section: "reported properties")
        reported = updated
        reportedVersion += 1
        version += 1
        stamp(keys: patch.keys, in: &reportedUpdated, now: now)
        return reportedVersion
    }

    /// Merges a desired-properties patch from the service; returns the patch the device receives (with `$version`).
    public mutating func patchDesired(_ patch: [String: JSONValue], now: Date) throws(HubError) -> JSONValue {
        var updated = desired
        let clean = patch.filter { !$0.key.hasPrefix("$") }
        try TwinMemberLimits.check(clean, section: "desired properties")
        Self.merge(clean, into: &updated)
        try Self.checkSize(updated, limit: Self.maximumPropertiesSize, section: "desired properties")
        desired = updated
        desiredVersion += 1
        version += 1
        stamp(keys: clean.keys, in: &desiredUpdated, now: now)
        var notification = clean
        notification["$version"] = .number(Double(desiredVersion))
        return .object(notification)
    }

    /// Merges tags (`null` removes a tag).
    public mutating func patchTags(_ patch: [String: JSONValue]) throws(HubError) {
        try TwinMemberLimits.check(patch, section: "tags")
        var updated = tags
        Self.merge(patch, into: &updated)
        try Self.checkSize(updated, limit: Self.maximumTagsSize, section: "tags")
        tags = updated
        version += 1
    }

    /// Replaces tags and desired properties (service `PUT /twins/{id}`); returns the device notification.
    public mutating func replace(tags newTags: [String: JSONValue], desired newDesired: [String: JSONValue], now: Date) throws(HubError) -> JSONValue {
        let clean = newDesired.filter { !$0.key.hasPrefix("$") }
        try TwinMemberLimits.check(newTags, section: "tags")
        try TwinMemberLimits.check(clean, section: "desired properties")
        try Self.checkSize(newTags, limit: Self.maximumTagsSize, section: "tags")
        try Self.checkSize(clean, limit: Self.maximumPropertiesSize, section: "desired properties")
        tags = newTags
        desired = clean
        desiredVersion += 1
        version += 1
        desiredUpdated = Dictionary(uniqueKeysWithValues: clean.keys.map { ($0, RegistrationTimestamp.string(now)) })
        var notification = clean
        notification["$version"] = .number(Double(desiredVersion))
        return .object(notification)
    }

    /// Recursive JSON merge-patch: objects merge, `null` deletes, anything else replaces.
    static func merge(_ patch: [String: JSONValue], into target: inout [String: JSONValue]) {
        for (key, value) in patch {
            switch value {
            case .null:
                target[key] = nil
            case .object(let members):
                var nested = target[key]?.objectValue ?? [:]
                merge(members, into: &nested)
                target[key] = .object(nested)
            default:
                target[key] = value
            }
        }
    }

    static func checkSize(_ section: [String: JSONValue], limit: Int, section name: String) throws(HubError) {
        // A section that does not even encode is refused rather than counted as empty.
        let size = (try? JSONEncoder().encode(section).count) ?? Int.max
        guard size <= limit else {
            throw .tooLarge("\(name) would be \(size) bytes; the limit is \(limit)")
        }
    }

    private func section(_ values: [String: JSONValue], version: Int, updated: [String: String]?) -> JSONValue {
        var members = values
        members["$version"] = .number(Double(version))
        var metadata: [String: JSONValue] = [:]
        for key in values.keys {
            metadata[key] = .object(["$lastUpdated": .string(updated?[key] ?? RegistrationTimestamp.string(Date(timeIntervalSince1970: 0)))])
        }
        metadata["$lastUpdated"] = .string(updated?.values.max() ?? RegistrationTimestamp.string(Date(timeIntervalSince1970: 0)))
        members["$metadata"] = .object(metadata)
        return .object(members)
    }

    private func stamp(keys: some Sequence<String>, in record: inout [String: String]?, now: Date) {
        var stamps = record ?? [:]
        let text = RegistrationTimestamp.string(now)
        for key in keys { stamps[key] = text }
        record = stamps
    }
}
