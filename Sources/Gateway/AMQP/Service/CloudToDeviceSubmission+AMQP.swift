import AMQPCodec
import Foundation
import Hub

extension CloudToDeviceSubmission {
    /// Maps a message of the `/messages/devicebound` link (azure-iot-hub: message-id and correlation-id strings,
    /// content type/encoding symbols, `absolute-expiry-time`, everything else in the property dictionary as
    /// application properties with their Python types).
    init(_ message: AMQPMessage, now: Date) throws(HubError) {
        guard let body = message.body.bytes ?? Self.valueBytes(message.body) else {
            throw HubError.badRequest("a cloud-to-device message body must be data or a string")
        }
        let properties = message.properties
        var application: [String: String] = [:]
        for entry in message.applicationProperties?.entries ?? [] {
            guard let key = entry.key.text, let value = entry.value.propertyText else {
                throw HubError.badRequest("application properties must have text keys and simple values")
            }
            application[key] = value
        }
        try self.init(to: properties?.to, body: body, messageId: properties?.messageId?.propertyText,
                      correlationId: properties?.correlationId?.propertyText, contentType: properties?.contentType?.rawValue,
                      contentEncoding: properties?.contentEncoding?.rawValue,
                      userId: properties?.userId.map { String(decoding: $0, as: UTF8.self) }, applicationProperties: application,
                      absoluteExpiryTime: properties?.absoluteExpiryTime.map { Date(timeIntervalSince1970: Double($0) / 1000) },
                      now: now)
    }

    /// An amqp-value body holding a string or binary (some clients send text that way).
    private static func valueBytes(_ body: AMQPMessageBody) -> [UInt8]? {
        guard case .value(let value) = body else { return nil }
        switch value {
        case .string(let text): return Array(text.utf8)
        case .binary(let bytes): return bytes
        default: return nil
        }
    }
}

extension AMQPValue {
    /// A simple value as IoT Hub property text: strings and symbols as they are, numbers in decimal, booleans as
    /// `true`/`false`, uuids lower-case; nil for anything else.
    var propertyText: String? {
        switch self {
        case .string(let text): text
        case .symbol(let symbol): symbol.rawValue
        case .bool(let value): value ? "true" : "false"
        case .uuid(let uuid): uuid.uuidString.lowercased()
        case .double(let value): String(value)
        case .float(let value): String(value)
        case .timestamp(let milliseconds): String(milliseconds)
        default: signedInteger.map { String($0) } ?? unsignedInteger.map { String($0) }
        }
    }
}
