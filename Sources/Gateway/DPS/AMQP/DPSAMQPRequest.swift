import AMQPCodec
import Foundation
import Provisioning

/// One DPS request as an AMQP message on `{scope}/registrations/{reg}`: app-prop `iotdps-operation-type` says what it
/// is — `iotdps-register` with a data body holding the JSON `DeviceRegistration` (or empty data: the C# SDK sends no
/// JSON without a payload), or `iotdps-get-operationstatus` with `iotdps-operation-id` (the body, data or an
/// amqp-value string, says nothing). Property names and values are matched case-insensitively.
struct DPSAMQPRequest: Sendable {
    /// What the device asks.
    enum Operation {
        case register(DeviceRegistrationRequest)
        case operationStatus(operationId: String)
    }

    static let operationTypeKey = "iotdps-operation-type"
    static let operationIdKey = "iotdps-operation-id"
    static let registerOperation = "iotdps-register"
    static let statusOperation = "iotdps-get-operationstatus"

    var operation: Operation
    /// Echoed on the reply when present (C# sends a GUID string; the C SDK sends no properties and matches by order).
    var correlationId: AMQPValue?

    /// Reads a request; anything malformed is `ProvisioningError.badRequest` with what is wrong.
    init(_ message: AMQPMessage) throws(ProvisioningError) {
        correlationId = message.properties?.correlationId.flatMap { $0 == .null ? nil : $0 }
        let properties = message.applicationProperties ?? AMQPMap()
        guard let type = Self.text(properties, Self.operationTypeKey) else {
            throw ProvisioningError.badRequest("the application property \(Self.operationTypeKey) is required")
        }
        switch type.lowercased() {
        case Self.registerOperation:
            operation = .register(try Self.registration(message.body))
        case Self.statusOperation:
            guard let operationId = Self.text(properties, Self.operationIdKey), !operationId.isEmpty else {
                throw ProvisioningError.badRequest("an operation status request needs the application property \(Self.operationIdKey)")
            }
            operation = .operationStatus(operationId: operationId)
        default:
            throw ProvisioningError.badRequest(
                "\(Self.operationTypeKey) must be \(Self.registerOperation) or \(Self.statusOperation), not '\(type.prefix(64))'")
        }
    }

    /// The register body: JSON in data sections, or nothing.
    private static func registration(_ body: AMQPMessageBody) throws(ProvisioningError) -> DeviceRegistrationRequest {
        let bytes: [UInt8]
        switch body {
        case .data: bytes = body.bytes ?? []
        case .value(.null): bytes = []
        case .value(.binary(let binary)): bytes = binary
        default: throw ProvisioningError.badRequest("the register body must be a data section holding JSON {\"registrationId\", \"payload\"}")
        }
        guard bytes.contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else { return DeviceRegistrationRequest() }
        do {
            return try JSONDecoder().decode(DeviceRegistrationRequest.self, from: Data(bytes))
        } catch {
            throw ProvisioningError.badRequest("the register body must be JSON {\"registrationId\", \"payload\"}")
        }
    }

    /// A string or symbol application property, its key matched case-insensitively.
    static func text(_ map: AMQPMap, _ key: String) -> String? {
        map.entries.first { $0.key.text?.lowercased() == key }?.value.text
    }
}
