import Foundation
import Provisioning

/// One line of Azure's `devices.txt`: an `ExportImportDevice` as JSON. Export writes identities and twins; import
/// reads what to do with each device.
public struct ExportImportDeviceLine: Sendable {
    /// What an import line asks for (`importMode`, default `createOrUpdate`).
    public enum Mode: String, Sendable, CaseIterable {
        case create, update, updateIfMatchETag, createOrUpdate, createOrUpdateIfMatchETag, delete, deleteIfMatchETag, updateTwin,
             updateTwinIfMatchETag
    }

    /// Device id.
    public var deviceId: String
    /// The operation.
    public var mode: Mode
    /// The device etag the `…IfMatchETag` modes compare.
    public var eTag: String?
    /// The twin etag `updateTwinIfMatchETag` compares.
    public var twinETag: String?
    /// The identity to create or update.
    public var specification: DeviceSpecification
    /// Tags and desired properties to merge into the twin, if the line has any.
    public var twinPatch: JSONValue?

    /// Parses one line; a malformed line is a `HubError` saying why (it goes to `importErrors.log`).
    public init(parsing line: Substring) throws(HubError) {
        let value: JSONValue
        do {
            value = try JSONDecoder().decode(JSONValue.self, from: Data(line.utf8))
        } catch {
            throw .badRequest("the line is not a JSON object")
        }
        guard case .string(let id)? = value["id"] else { throw .badRequest("the line has no string 'id'") }
        try DeviceSpecification.validate(deviceId: id)
        deviceId = id
        switch value["importMode"] {
        case nil, .null?: mode = .createOrUpdate
        case .string(let text)?:
            guard let known = Mode.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
                throw .badRequest("importMode '\(text)' is not one of \(Mode.allCases.map(\.rawValue).joined(separator: ", "))")
            }
            mode = known
        default: throw .badRequest("importMode must be a string")
        }
        eTag = value["eTag"]?.stringValue
        twinETag = value["twinETag"]?.stringValue
        let status = value["status"]?.stringValue
        let statusReason = value["statusReason"]?.stringValue
        var capabilities: DeviceCapabilities?
        if case .bool(let edge)? = value["capabilities"]?["iotEdge"] { capabilities = DeviceCapabilities(iotEdge: edge) }
        specification = DeviceSpecification(deviceId: id, status: status, statusReason: statusReason,
                                            authentication: try Self.authentication(value["authentication"]), capabilities: capabilities)
        var patch: [String: JSONValue] = [:]
        if case .object(let tags)? = value["tags"] { patch["tags"] = .object(tags) }
        if case .object(let desired)? = value["properties"]?["desired"] {
            patch["properties"] = .object(["desired": .object(desired.filter { !$0.key.hasPrefix("$") })])
        }
        twinPatch = patch.isEmpty ? nil : .object(patch)
    }

    /// The export line of a device and its twin; keys left out (null) when `includeKeys` is false.
    public static func exportLine(_ record: DeviceRecord, includeKeys: Bool) -> JSONValue {
        let identity = record.identity
        var authentication: [String: JSONValue] = ["type": .string(identity.authentication.type)]
        if identity.authentication.type == "sas" {
            let keys = identity.authentication.symmetricKey
            authentication["symmetricKey"] = .object([
                "primaryKey": includeKeys ? keys?.primaryKey.map(JSONValue.string) ?? .null : .null,
                "secondaryKey": includeKeys ? keys?.secondaryKey.map(JSONValue.string) ?? .null : .null,
            ])
        }
        if let thumbprint = identity.authentication.x509Thumbprint {
            authentication["x509Thumbprint"] = .object([
                "primaryThumbprint": thumbprint.primaryThumbprint.map(JSONValue.string) ?? .null,
                "secondaryThumbprint": thumbprint.secondaryThumbprint.map(JSONValue.string) ?? .null,
            ])
        }
        var line: [String: JSONValue] = [
            "id": .string(identity.deviceId),
            "eTag": .string(identity.etag),
            "status": .string(identity.status),
            "authentication": .object(authentication),
            "twinETag": .string(record.twin.etag),
            "tags": .object(record.twin.tags),
            "properties": .object(["desired": .object(record.twin.desired), "reported": .object(record.twin.reported)]),
            "capabilities": .object(["iotEdge": .bool(identity.capabilities.iotEdge)]),
        ]
        if let reason = identity.statusReason { line["statusReason"] = .string(reason) }
        return .object(line)
    }

    private static func authentication(_ value: JSONValue?) throws(HubError) -> DeviceSpecification.Authentication {
        guard let value, value != .null else { return .sharedAccessSignature(primaryKey: nil, secondaryKey: nil) }
        switch value["type"]?.stringValue?.lowercased() ?? "sas" {
        case "sas":
            return .sharedAccessSignature(primaryKey: value["symmetricKey"]?["primaryKey"]?.stringValue,
                                          secondaryKey: value["symmetricKey"]?["secondaryKey"]?.stringValue)
        case "selfsigned":
            return .selfSigned(primaryThumbprint: value["x509Thumbprint"]?["primaryThumbprint"]?.stringValue,
                               secondaryThumbprint: value["x509Thumbprint"]?["secondaryThumbprint"]?.stringValue)
        case "certificateauthority": return .certificateAuthority
        case "none": return .none
        case let other: throw .badRequest("authentication type '\(other)' is not sas, selfSigned, certificateAuthority or none")
        }
    }
}

private extension JSONValue {
    /// The text of a string value.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
