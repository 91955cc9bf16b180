import AMQPCodec
import Foundation
import NIOCore
import Routing

/// A stored event as the Event Hubs-compatible endpoint of IoT Hub delivers it (wire reference §5.4): the body
/// unchanged as one data section; message-id, correlation-id, user-id, content-type and content-encoding in the
/// properties section; the device's properties as application properties; `x-opt-*` and IoT Hub's `iothub-*` /
/// `dt-*` system properties as message annotations.
enum EventHubsEventMessage {
    /// System properties carried in the properties section rather than as annotations.
    static let propertySectionKeys: Set<String> = ["message-id", "correlation-id", "user-id", "content-type", "content-encoding",
                                                    "to", "expiry-time-utc"]

    /// The message for `event`; with `metrics`, the receiver runtime metric as delivery annotations.
    static func message(_ event: StoredEvent, metrics: EventHubsPartitionProperties? = nil, now: Date) -> AMQPMessage {
        let system = event.record.systemProperties
        var annotations = AMQPMap()
        annotations[symbol: "x-opt-sequence-number"] = .long(event.sequenceNumber)
        annotations[symbol: "x-opt-offset"] = .string(EventPosition.offset(ofSequenceNumber: event.sequenceNumber))
        annotations[symbol: "x-opt-enqueued-time"] = .timestamp(event.enqueuedTime)
        for key in system.keys.sorted() where !propertySectionKeys.contains(key) {
            guard let value = system[key] else { continue }
            if key == "iothub-enqueuedtime" {
                annotations[symbol: key] = .timestamp(timestamp(value) ?? event.enqueuedTime)
            } else {
                annotations[symbol: key] = .string(value)
            }
        }
        var properties = AMQPMessageProperties()
        properties.messageId = system["message-id"].map { AMQPValue.string($0) }
        properties.userId = system["user-id"].map { Array($0.utf8) }
        properties.to = system["to"]
        properties.correlationId = system["correlation-id"].map { AMQPValue.string($0) }
        properties.contentType = system["content-type"].map { AMQPSymbol($0) }
        properties.contentEncoding = system["content-encoding"].map { AMQPSymbol($0) }
        if let expiry = system["expiry-time-utc"].flatMap(timestamp) {
            properties.absoluteExpiryTime = Int64((expiry.timeIntervalSince1970 * 1000).rounded())
        }
        var application = AMQPMap()
        for key in event.record.properties.keys.sorted() {
            application[string: key] = event.record.properties[key].map { AMQPValue.string($0) }
        }
        var deliveryAnnotations: AMQPMap?
        if let metrics {
            var map = AMQPMap()
            map[symbol: "last_enqueued_sequence_number"] = .long(metrics.lastEnqueuedSequenceNumber)
            map[symbol: "last_enqueued_offset"] = .string(metrics.lastEnqueuedOffset)
            map[symbol: "last_enqueued_time_utc"] = .timestamp(metrics.lastEnqueuedTime)
            map[symbol: "runtime_info_retrieval_time_utc"] = .timestamp(now)
            deliveryAnnotations = map
        }
        return AMQPMessage(deliveryAnnotations: deliveryAnnotations, messageAnnotations: annotations, properties: properties,
                           applicationProperties: application, body: .data([event.record.body]))
    }

    /// A time IoT Hub writes (`2024-01-01T00:00:00.0000000Z`, any number of fraction digits).
    static func timestamp(_ text: String) -> Date? {
        let parts = text.split(separator: ".", maxSplits: 1)
        guard let whole = parts.first else { return nil }
        var fraction = 0.0
        var base = String(whole)
        if parts.count == 2 {
            let digits = parts[1].prefix { $0.isASCII && $0.isNumber }
            guard parts[1].dropFirst(digits.count) == "Z", digits.count <= 9 else { return nil }
            fraction = Double("0." + digits) ?? 0
            base += "Z"
        }
        guard let date = try? Date(base, strategy: .iso8601) else { return nil }
        return date.addingTimeInterval(fraction)
    }
}
