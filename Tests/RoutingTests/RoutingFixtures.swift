import Foundation
import Hub
import Provisioning
import Routing

/// Messages and twins built in code for routing tests.
enum RoutingFixtures {
    static let enqueued = Date(timeIntervalSince1970: 1_700_000_000)

    /// A device message with a JSON body in `encoding` (content type application/json unless given).
    static func message(json: String = #"{"temperature": 31.5, "weather": {"wind": 12, "sky": "clear"}, "readings": [1, 2, 3]}"#,
                        encoding: String? = "utf-8", contentType: String? = "application/json",
                        properties: [String: String] = [:], deviceId: String = "dev-1", moduleId: String? = nil,
                        extraSystem: [String: String] = [:]) -> RoutingMessage {
        var system: [String: String] = [
            "iothub-connection-device-id": deviceId, "iothub-connection-auth-method": "sas", "message-id": "mid-1",
            "correlation-id": "cid-1", "iothub-message-source": "Telemetry",
        ]
        if let contentType { system["content-type"] = contentType }
        if let encoding { system["content-encoding"] = encoding }
        if let moduleId { system["iothub-connection-module-id"] = moduleId }
        system.merge(extraSystem) { _, new in new }
        return RoutingMessage(source: .deviceMessages, deviceId: deviceId, moduleId: moduleId, enqueuedTime: enqueued,
                              body: encode(json, encoding ?? "utf-8"), applicationProperties: properties, systemProperties: system)
    }

    /// `text` in a UTF encoding as .NET names them (utf-16 and utf-32 little-endian).
    static func encode(_ text: String, _ encoding: String) -> [UInt8] {
        switch encoding.lowercased() {
        case "utf-16", "utf-16le": return text.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        case "utf-16be": return text.utf16.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] }
        case "utf-32", "utf-32le":
            return text.unicodeScalars.flatMap { scalar in (0..<4).map { UInt8((scalar.value >> (8 * $0)) & 0xFF) } }
        default: return Array(text.utf8)
        }
    }

    /// A twin with tags and properties.
    static var twin: DeviceTwin {
        var twin = DeviceTwin(etag: "e1")
        twin.tags = ["location": .object(["region": .string("US"), "floor": .number(3)]), "kind": .string("sensor")]
        twin.desired = ["telemetryConfig": .object(["sendFrequency": .string("5m")]), "interval": .number(30)]
        twin.reported = ["firmware": .string("2.0"), "battery": .object(["level": .number(80)])]
        twin.desiredVersion = 4
        twin.reportedVersion = 7
        return twin
    }
}
