import Foundation

/// The checks shared by individual enrollments and groups: identifiers, device ids, twins and allocation settings.
struct EnrollmentValidator: Sendable {
    /// Host names of the linked hubs, lower-cased.
    let linkedHubs: Set<String>

    /// Group ids and certificate names: 1–128 characters of ASCII letters, digits and `-._:` (registration ids have
    /// stricter rules of their own: `RegistrationIdentifier`).
    static func validateIdentifier(_ id: String, name: String) throws(ProvisioningError) {
        guard (1...128).contains(id.utf8.count), id.utf8.allSatisfy(isIdentifierByte) else {
            throw .badRequest("\(name) '\(id.prefix(140))' is invalid: use 1 to 128 characters of letters, digits, '-', '.', '_' and ':'")
        }
    }

    /// Device ids follow IoT Hub's rules: 1–128 ASCII letters, digits and `-.+%_#*?!(),:=@$'`.
    static func validateDeviceId(_ deviceId: String) throws(ProvisioningError) {
        let allowed = Set("-.+%_#*?!(),:=@$'".utf8)
        guard (1...128).contains(deviceId.utf8.count),
              deviceId.utf8.allSatisfy({ isAlphanumeric($0) || allowed.contains($0) })
        else {
            throw .badRequest("deviceId '\(deviceId.prefix(140))' is invalid: use 1 to 128 letters, digits and -.+%_#*?!(),:=@$'")
        }
    }

    /// The initial twin must be an object (`{"tags":…,"properties":{"desired":…}}`); null means none.
    static func validatedTwin(_ twin: JSONValue?) throws(ProvisioningError) -> JSONValue? {
        guard let twin, twin != .null else { return nil }
        guard let members = twin.objectValue else { throw .badRequest("initialTwin must be a JSON object") }
        if let tags = members["tags"], tags != .null, tags.objectValue == nil {
            throw .badRequest("initialTwin.tags must be a JSON object")
        }
        if let properties = members["properties"], properties != .null {
            guard properties.objectValue != nil else { throw .badRequest("initialTwin.properties must be a JSON object") }
            if let desired = properties["desired"], desired != .null, desired.objectValue == nil {
                throw .badRequest("initialTwin.properties.desired must be a JSON object")
            }
        }
        return twin
    }

    /// Checks hub names against the linked hubs and the policy's own requirements.
    func validateAllocation(policy: AllocationPolicyKind?, iotHubs: [String]?, iotHubHostName: String?,
                            custom: CustomAllocationDefinition?) throws(ProvisioningError) {
        for hub in (iotHubs ?? []) + (iotHubHostName.map { [$0] } ?? []) where !linkedHubs.contains(hub.lowercased()) {
            throw .badRequest("'\(hub.prefix(256))' is not a linked IoT hub host name")
        }
        switch policy {
        case .static:
            let candidates = (iotHubs?.isEmpty == false) ? iotHubs ?? [] : (iotHubHostName.map { [$0] } ?? [])
            guard candidates.count == 1 else {
                throw .badRequest("allocationPolicy 'static' needs exactly one hub: one entry in iotHubs or iotHubHostName")
            }
        case .custom:
            guard let url = custom?.webhookUrl, let components = URLComponents(string: url),
                  let scheme = components.scheme?.lowercased(), scheme == "http" || scheme == "https",
                  let host = components.host, !host.isEmpty
            else {
                throw .badRequest("allocationPolicy 'custom' needs customAllocationDefinition.webhookUrl with an http or https URL")
            }
        case .hashed, .geoLatency, nil:
            break
        }
    }

    private static func isIdentifierByte(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".")
            || byte == UInt8(ascii: "_") || byte == UInt8(ascii: ":")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
