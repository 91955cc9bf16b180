import Foundation
import Hub
import Provisioning
import Routing

/// Routing conditions: the input up to its first NUL byte is the condition, the rest the message body, so one
/// input explores the parser, the functions and the body's JSON together.
enum RoutingQueryFuzzing {
    static let enqueued = Date(timeIntervalSince1970: 1_700_000_000)

    /// A twin with tags and properties for `$twin.…` references.
    static let twin: DeviceTwin = {
        var twin = DeviceTwin(etag: "e1")
        twin.tags = ["location": .object(["region": .string("US"), "floor": .number(3)]), "kind": .string("sensor")]
        twin.desired = ["telemetryConfig": .object(["sendFrequency": .string("5m")]), "interval": .number(30)]
        twin.reported = ["firmware": .string("2.0"), "battery": .object(["level": .number(80)])]
        twin.desiredVersion = 4
        twin.reportedVersion = 7
        return twin
    }()

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        let split = input.firstIndex(of: 0) ?? input.endIndex
        let text = String(decoding: input[..<split], as: UTF8.self)
        guard let condition = try? RoutingCondition(text) else { return }
        let body = split < input.endIndex ? Array(input[(split + 1)...]) : Array(#"{"temperature": 31.5, "weather": {"wind": 12}}"#.utf8)
        for encoding in ["utf-8", "utf-16", "utf-32"] {
            let message = RoutingMessage(
                source: .deviceMessages, deviceId: "dev-1", moduleId: "mod-1", enqueuedTime: enqueued, body: body,
                applicationProperties: ["processingPath": "hot", "level": "30", "sensor.kind": "t"],
                systemProperties: ["iothub-connection-device-id": "dev-1", "content-type": "application/json",
                                   "content-encoding": encoding, "message-id": "mid-1", "correlation-id": "cid-1"])
            _ = condition.matches(message, twin: twin)
            _ = condition.matches(message, twin: nil)
            _ = condition.value(for: message, twin: twin)
        }
    }
}
