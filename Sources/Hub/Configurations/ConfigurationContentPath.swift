import Provisioning

/// A device content key, `properties.desired.a.b`: the member path inside the twin's desired properties it sets.
public struct ConfigurationContentPath: Sendable, Hashable {
    /// Members below `properties.desired`, at least one.
    public let segments: [String]

    /// Parses a content key; anything but `properties.desired.<name>[.<name>…]` is a 400.
    public init(_ key: String) throws(HubError) {
        let parts = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, parts[0] == "properties", parts[1] == "desired", parts.dropFirst(2).allSatisfy({ !$0.isEmpty && !$0.hasPrefix("$") })
        else {
            throw .badRequest("device content key '\(key)' must be properties.desired.<name>")
        }
        segments = Array(parts.dropFirst(2))
    }

    /// Whether one path lies inside the other (or they are equal): both cannot be set by different configurations.
    func overlaps(_ other: ConfigurationContentPath) -> Bool {
        let length = min(segments.count, other.segments.count)
        return segments.prefix(length) == other.segments.prefix(length)
    }

    /// The merge patch that sets `value` at this path.
    func patch(_ value: JSONValue) -> [String: JSONValue] {
        var nested = value
        for segment in segments.dropFirst().reversed() { nested = .object([segment: nested]) }
        return [segments[0]: nested]
    }

    /// Whether `desired` already holds `value` here, as merging `patch(value)` would leave it (null members absent).
    func isSatisfied(by desired: [String: JSONValue], value: JSONValue) -> Bool {
        var current: JSONValue? = .object(desired)
        for segment in segments { current = current?[segment] }
        return Self.contains(current, value)
    }

    private static func contains(_ current: JSONValue?, _ wanted: JSONValue) -> Bool {
        guard case .object(let members) = wanted else { return current == wanted }
        guard case .object(let existing)? = current else { return false }
        for (key, member) in members {
            if member == .null {
                if existing[key] != nil { return false }
            } else if !contains(existing[key], member) {
                return false
            }
        }
        return true
    }
}
