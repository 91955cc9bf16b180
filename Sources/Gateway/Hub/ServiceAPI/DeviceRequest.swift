import Hub
import Provisioning

/// The body of `PUT /devices/{id}`: IoT Hub's `Device` JSON, of which only what a caller may set is read
/// (etag, generationId and the connection fields are the hub's).
struct DeviceRequest: Decodable, Sendable {
    struct Authentication: Decodable, Sendable {
        var type: String?
        var symmetricKey: SymmetricKey?
        var x509Thumbprint: Thumbprint?
    }

    struct SymmetricKey: Decodable, Sendable {
        var primaryKey: String?
        var secondaryKey: String?
    }

    struct Thumbprint: Decodable, Sendable {
        var primaryThumbprint: String?
        var secondaryThumbprint: String?
    }

    struct Capabilities: Decodable, Sendable {
        var iotEdge: Bool?
    }

    var deviceId: String?
    var status: String?
    var statusReason: String?
    var authentication: Authentication?
    var capabilities: Capabilities?

    /// The domain request for the device at `pathId`; a body naming another device is a 400.
    func specification(pathId: String) throws(ServiceError) -> DeviceSpecification {
        if let deviceId, deviceId != pathId {
            throw ServiceError.badRequest("the body's deviceId '\(deviceId)' differs from the device id in the path")
        }
        return DeviceSpecification(
            deviceId: pathId, status: status, statusReason: statusReason, authentication: try mechanism(),
            capabilities: capabilities.map { DeviceCapabilities(iotEdge: $0.iotEdge ?? false) })
    }

    private func mechanism() throws(ServiceError) -> DeviceSpecification.Authentication {
        let keys = authentication?.symmetricKey
        let thumbprints = authentication?.x509Thumbprint
        switch authentication?.type?.lowercased() {
        case "sas":
            return .sharedAccessSignature(primaryKey: nonEmpty(keys?.primaryKey), secondaryKey: nonEmpty(keys?.secondaryKey))
        case "selfsigned":
            return .selfSigned(primaryThumbprint: nonEmpty(thumbprints?.primaryThumbprint),
                               secondaryThumbprint: nonEmpty(thumbprints?.secondaryThumbprint))
        case "certificateauthority":
            return .certificateAuthority
        case "none":
            return DeviceSpecification.Authentication.none
        case nil:
            // No type: thumbprints mean selfSigned, anything else SAS (IoT Hub's default).
            if let primary = nonEmpty(thumbprints?.primaryThumbprint) {
                return .selfSigned(primaryThumbprint: primary, secondaryThumbprint: nonEmpty(thumbprints?.secondaryThumbprint))
            }
            return .sharedAccessSignature(primaryKey: nonEmpty(keys?.primaryKey), secondaryKey: nonEmpty(keys?.secondaryKey))
        case let other?:
            throw ServiceError.badRequest("authentication.type '\(other)' is not sas, selfSigned, certificateAuthority or none")
        }
    }

    private func nonEmpty(_ text: String?) -> String? {
        guard let text, !text.isEmpty else { return nil }
        return text
    }
}
