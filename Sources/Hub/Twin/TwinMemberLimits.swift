import Provisioning

/// IoT Hub's limits on the members of a twin section (tags, desired or reported properties), checked on every
/// patch and replacement before anything is merged: a property name of at most 1 KB, a string value of at most 4 KB
/// and at most 10 levels of nested objects. The section totals (32 KB, 8 KB for tags) are `DeviceTwin`'s own check.
public enum TwinMemberLimits {
    /// Longest property name in UTF-8 bytes.
    public static let maximumNameSize = 1024
    /// Longest string value in UTF-8 bytes.
    public static let maximumValueSize = 4096
    /// Deepest nesting of objects below the section.
    public static let maximumDepth = 10

    /// Throws IoT Hub's 400 `ArgumentInvalid` naming the limit a member breaks (never echoing the member itself).
    public static func check(_ members: [String: JSONValue], section: String) throws(HubError) {
        try check(members, section: section, depth: 1)
    }

    private static func check(_ members: [String: JSONValue], section: String, depth: Int) throws(HubError) {
        guard depth <= maximumDepth else {
            throw .badRequest("\(section) may nest objects at most \(maximumDepth) levels deep")
        }
        for (name, value) in members {
            guard name.utf8.count <= maximumNameSize else {
                throw .badRequest("a property name in \(section) may be at most \(maximumNameSize) bytes")
            }
            try check(value, section: section, depth: depth)
        }
    }

    private static func check(_ value: JSONValue, section: String, depth: Int) throws(HubError) {
        switch value {
        case .string(let text):
            guard text.utf8.count <= maximumValueSize else {
                throw .badRequest("a property value in \(section) may be at most \(maximumValueSize) bytes")
            }
        case .object(let nested):
            try check(nested, section: section, depth: depth + 1)
        case .array(let elements):
            // Arrays count as a level too: a deep array of arrays is as costly to store and merge as deep objects.
            guard depth < maximumDepth else {
                throw .badRequest("\(section) may nest objects at most \(maximumDepth) levels deep")
            }
            for element in elements { try check(element, section: section, depth: depth + 1) }
        case .null, .bool, .number:
            break
        }
    }
}
