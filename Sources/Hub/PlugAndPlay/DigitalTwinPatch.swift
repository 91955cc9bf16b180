import Foundation
import Provisioning

/// A digital twin JSON Patch (`PATCH /digitaltwins/{id}`: `[{"op": "add"|"replace"|"remove", "path": "/p" or
/// "/component/p", "value": …}]`) turned into the desired-properties patch that carries it to the device.
public enum DigitalTwinPatch {
    /// The most operations one patch may hold.
    public static let maximumOperations = 100

    /// The desired patch for `operations` against `twin` (which tells components from object-valued properties).
    /// A malformed operation is `HubError.badRequest` naming its index.
    public static func desiredPatch(_ operations: JSONValue, twin: DeviceTwin) throws(HubError) -> [String: JSONValue] {
        guard case .array(let list) = operations, !list.isEmpty else {
            throw .badRequest("a digital twin patch is a non-empty JSON array of operations")
        }
        guard list.count <= maximumOperations else { throw .badRequest("a digital twin patch holds at most \(maximumOperations) operations") }
        var patch: [String: JSONValue] = [:]
        for (index, operation) in list.enumerated() {
            guard case .string(let op)? = operation["op"], case .string(let path)? = operation["path"] else {
                throw .badRequest("operation \(index): 'op' and 'path' must be strings")
            }
            let value: JSONValue
            switch op {
            case "add", "replace":
                guard let given = operation["value"] else { throw .badRequest("operation \(index): '\(op)' needs a 'value'") }
                value = given
            case "remove":
                value = .null
            default:
                throw .badRequest("operation \(index): op '\(op)' is not supported (add, replace, remove)")
            }
            let segments = try pointer(path, index: index)
            let first = segments[0]
            let isComponent = segments.count >= 2 && (
                DigitalTwinDocument.isComponent(twin.reported[first]) || DigitalTwinDocument.isComponent(twin.desired[first])
                    || (segments.count == 2 && twin.reported[first] == nil && twin.desired[first] == nil))
            var updated = patch[first] ?? .null
            if isComponent, updated.objectValue == nil {
                updated = .object([DigitalTwinDocument.componentMarker: .string("c")])
            }
            patch[first] = segments.count == 1 ? value : set(value, at: segments.dropFirst(), in: updated)
        }
        return patch
    }

    /// The members of an RFC 6901 pointer (`/a/b~1c` → `a`, `b/c`).
    private static func pointer(_ path: String, index: Int) throws(HubError) -> [String] {
        guard path.hasPrefix("/"), path.count > 1 else { throw .badRequest("operation \(index): path '\(path)' must name a property ('/p' or '/component/p')") }
        let segments = path.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
            $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
        }
        guard segments.allSatisfy({ !$0.isEmpty && !$0.hasPrefix("$") }), segments.count <= 8 else {
            throw .badRequest("operation \(index): path '\(path)' has an empty, '$'-prefixed or too deep member")
        }
        return segments
    }

    private static func set(_ value: JSONValue, at path: ArraySlice<String>, in container: JSONValue) -> JSONValue {
        guard let name = path.first else { return value }
        var members = container.objectValue ?? [:]
        members[name] = set(value, at: path.dropFirst(), in: members[name] ?? .null)
        return .object(members)
    }
}
