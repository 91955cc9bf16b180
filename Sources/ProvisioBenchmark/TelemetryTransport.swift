import ArgumentParser
import Foundation

/// A device transport `provisio-bench telemetry` measures next to raw MQTT (its baseline) on the same shard.
enum TelemetryTransport: String, CaseIterable, Sendable {
    /// MQTT inside a WebSocket on the HTTPS listener (`/$iothub/websocket`, subprotocol `mqtt`).
    case webSockets = "mqtt-ws"
    /// The device HTTPS API, one message per request on keep-alive connections.
    case https
    /// A device AMQP sender link, unsettled transfers settled `accepted` after the commit.
    case amqp

    /// The name in table rows.
    var label: String {
        switch self {
        case .webSockets: "MQTT-WS"
        case .https: "HTTPS"
        case .amqp: "AMQP"
        }
    }

    /// The name in summary keys (`provisio{key}PerSecond`, `ratio{key}ToMQTT`).
    var summaryKey: String {
        switch self {
        case .webSockets: "WebSocket"
        case .https: "HTTPS"
        case .amqp: "AMQP"
        }
    }

    /// The device-transports issue's target for this transport's rate over raw MQTT's, where it sets one: WebSockets
    /// within 25 %, AMQP within 20 %.
    var targetRatio: Double? {
        switch self {
        case .webSockets: 0.75
        case .https: nil
        case .amqp: 0.80
        }
    }

    /// Parses `mqtt-ws,https,amqp` (any order, `mqtt` ignored: it is always measured) into the order above.
    static func parse(_ list: String) throws -> [TelemetryTransport] {
        var chosen: Set<TelemetryTransport> = []
        for item in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }) where !item.isEmpty && item != "mqtt" {
            guard let transport = TelemetryTransport(rawValue: item) else {
                throw ValidationError("unknown transport \(item); choose from mqtt, \(allCases.map(\.rawValue).joined(separator: ", "))")
            }
            chosen.insert(transport)
        }
        return allCases.filter(chosen.contains)
    }
}
