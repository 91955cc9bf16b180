import Foundation
import Provisioning
import AccessControl

/// What the service asks a device identity to be (`PUT /devices/{id}`): keys left out are generated.
public struct DeviceSpecification: Sendable, Equatable {
    /// How the device is to authenticate.
    public enum Authentication: Sendable, Equatable {
        /// SAS with these Base64 keys; a missing key is generated (or kept, on update).
        case sharedAccessSignature(primaryKey: String?, secondaryKey: String?)
        /// A self-signed certificate with these SHA-1 or SHA-256 thumbprints (hex).
        case selfSigned(primaryThumbprint: String?, secondaryThumbprint: String?)
        /// A certificate chaining to a trusted CA.
        case certificateAuthority
        /// No credential: the device cannot connect.
        case none
    }

    /// Device id.
    public var deviceId: String
    /// `enabled` or `disabled`; nil keeps the current status (enabled for a new device).
    public var status: String?
    /// Why it is disabled.
    public var statusReason: String?
    /// Credential.
    public var authentication: Authentication
    /// Capabilities; nil keeps the current ones.
    public var capabilities: DeviceCapabilities?

    /// Creates a specification.
    public init(deviceId: String, status: String? = nil, statusReason: String? = nil,
                authentication: Authentication = .sharedAccessSignature(primaryKey: nil, secondaryKey: nil),
                capabilities: DeviceCapabilities? = nil) {
        self.deviceId = deviceId
        self.status = status
        self.statusReason = statusReason
        self.authentication = authentication
        self.capabilities = capabilities
    }

    /// IoT Hub's device id rule: 1–128 ASCII letters, digits and `-.+%_#*?!(),:=@$'`.
    public static func validate(deviceId: String) throws(HubError) {
        let allowed = Set("-.+%_#*?!(),:=@$'")
        guard (1...128).contains(deviceId.count),
              deviceId.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || allowed.contains($0)) })
        else {
            throw .badRequest("a device id is 1–128 ASCII letters, digits or -.+%_#*?!(),:=@$' characters")
        }
    }

    /// The normalised status (`enabled`/`disabled`), or nil when none was given.
    func validatedStatus() throws(HubError) -> String? {
        guard let status else { return nil }
        switch status.lowercased() {
        case "enabled": return "enabled"
        case "disabled": return "disabled"
        default: throw .badRequest("status must be 'enabled' or 'disabled'")
        }
    }

    /// The stored mechanism: keys and thumbprints checked, missing keys taken from `current` (same type) or generated.
    func resolvedAuthentication(current: AuthenticationMechanism?, generateKey: () -> String) throws(HubError) -> AuthenticationMechanism {
        switch authentication {
        case .sharedAccessSignature(let primary, let secondary):
            let kept = current?.type == "sas" ? current?.symmetricKey : nil
            let primaryKey = try primary.map { key throws(HubError) in try Self.checked(key: key, name: "primaryKey") }
                ?? kept?.primaryKey ?? generateKey()
            let secondaryKey = try secondary.map { key throws(HubError) in try Self.checked(key: key, name: "secondaryKey") }
                ?? kept?.secondaryKey ?? generateKey()
            return AuthenticationMechanism(type: "sas", symmetricKey: SymmetricKeyAttestation(primaryKey: primaryKey, secondaryKey: secondaryKey))
        case .selfSigned(let primary, let secondary):
            guard let primary else { throw .badRequest("a selfSigned device needs x509Thumbprint.primaryThumbprint") }
            return AuthenticationMechanism(type: "selfSigned", x509Thumbprint: X509Thumbprint(
                primaryThumbprint: try Self.checked(thumbprint: primary, name: "primaryThumbprint"),
                secondaryThumbprint: try secondary.map { value throws(HubError) in try Self.checked(thumbprint: value, name: "secondaryThumbprint") }))
        case .certificateAuthority:
            return AuthenticationMechanism(type: "certificateAuthority")
        case .none:
            return AuthenticationMechanism(type: "none")
        }
    }

    private static func checked(key: String, name: String) throws(HubError) -> String {
        do {
            _ = try SharedAccessKey(base64: key)
        } catch {
            throw .badRequest("\(name) must be Base64 text of 16 to 64 bytes")
        }
        return key
    }

    private static func checked(thumbprint: String, name: String) throws(HubError) -> String {
        let hex = thumbprint.replacingOccurrences(of: ":", with: "").uppercased()
        guard [40, 64].contains(hex.count), hex.allSatisfy(\.isHexDigit) else {
            throw .badRequest("\(name) must be a SHA-1 (40) or SHA-256 (64) hex thumbprint")
        }
        return hex
    }
}
