import AMQPCodec
import Foundation
import Hub
import Provisioning

/// The device side's messages ⇄ the hub's values: telemetry properties from what the C and C# SDKs send, and the
/// C2D, direct-method and twin messages the SDKs read (annotation types as the C SDK checks them: `status` an int,
/// `version` a long; method correlation ids are uuids).
enum AMQPDeviceMessages {
    /// Application properties that carry system properties over AMQP (the SDKs cannot set those sections otherwise).
    static let systemApplicationProperties: [String: String] = [
        "iothub-creation-time-utc": "iothub-creation-time-utc", "iothub-outputname": "output-name",
        "iothub-message-schema": "message-schema",
    ]
    /// Message annotations that carry system properties.
    static let systemAnnotations: [String: String] = ["iothub-interface-id": "interface-id", "dt-subject": "dt-subject"]

    /// The properties of one telemetry message, as an MQTT device's property bag would give them: the properties
    /// section's ids, content type and encoding (percent-decoded: the C SDK sends `application%2fjson` verbatim), `to`,
    /// user id and expiry; application properties as text; nothing the hub stamps itself.
    static func telemetryProperties(_ message: AMQPMessage) throws(HubError) -> MessagePropertyBag {
        var bag = MessagePropertyBag()
        if let properties = message.properties {
            bag.systemProperties["message-id"] = properties.messageId?.propertyText
            bag.systemProperties["correlation-id"] = properties.correlationId?.propertyText
            bag.systemProperties["content-type"] = properties.contentType.map { $0.rawValue.removingPercentEncoding ?? $0.rawValue }
            bag.systemProperties["content-encoding"] = properties.contentEncoding.map { $0.rawValue.removingPercentEncoding ?? $0.rawValue }
            bag.systemProperties["to"] = properties.to
            bag.systemProperties["user-id"] = properties.userId.map { String(decoding: $0, as: UTF8.self) }
            bag.systemProperties["expiry-time-utc"] = properties.absoluteExpiryTime
                .map { RegistrationTimestamp.string(Date(timeIntervalSince1970: Double($0) / 1000)) }
        }
        for entry in message.applicationProperties?.entries ?? [] {
            guard let key = entry.key.text, !key.isEmpty, let value = entry.value.propertyText else {
                throw .badRequest("application properties must have text keys and simple values")
            }
            if let system = systemApplicationProperties[key.lowercased()] {
                bag.systemProperties[system] = value
            } else if !MessagePropertyBag.isReservedApplicationName(key) {
                bag.applicationProperties[key] = value
            }
        }
        for entry in message.messageAnnotations?.entries ?? [] {
            guard let key = entry.key.text, let system = systemAnnotations[key], let value = entry.value.propertyText else { continue }
            bag.systemProperties[system] = value
        }
        return bag
    }

    /// A locked C2D message as the device receives it (the C SDK surfaces ids, content type and encoding, and every
    /// application property including `iothub-ack`).
    static func cloudToDevice(_ locked: LockedCloudToDeviceMessage) -> AMQPMessage {
        let message = locked.message
        var application = AMQPMap()
        for (key, value) in message.properties.sorted(by: { $0.key < $1.key }) { application[string: key] = .string(value) }
        if message.ack != .none { application[string: "iothub-ack"] = .string(message.ack.rawValue) }
        var annotations = AMQPMap()
        annotations[symbol: "iothub-enqueuedtime"] = .timestamp(Int64(message.enqueuedTime.timeIntervalSince1970 * 1000))
        if let sequence = message.sequenceNumber { annotations[symbol: "x-opt-sequence-number"] = .long(sequence) }
        var properties = AMQPMessageProperties(
            messageId: .string(message.messageId), userId: message.userId.map { Array($0.utf8) },
            to: "/devices/\(message.deviceId)/messages/deviceBound", correlationId: message.correlationId.map { .string($0) },
            contentType: message.contentType.map { AMQPSymbol($0) }, contentEncoding: message.contentEncoding.map { AMQPSymbol($0) },
            absoluteExpiryTime: Int64(message.expiryTime.timeIntervalSince1970 * 1000))
        properties.creationTime = Int64(message.enqueuedTime.timeIntervalSince1970 * 1000)
        return AMQPMessage(header: AMQPMessageHeader(durable: true, deliveryCount: UInt32(clamping: message.deliveryCount)),
                           messageAnnotations: annotations, properties: properties, applicationProperties: application,
                           body: .data([message.body]))
    }

    /// A direct-method request: correlation id the request's uuid, the name in `IoThub-methodname`, the JSON payload.
    static func methodRequest(_ request: DirectMethodRequest, id: UUID) -> AMQPMessage {
        let body = request.payload.flatMap { try? JSONEncoder().encode($0) }.map { Array($0) } ?? []
        return AMQPMessage(properties: AMQPMessageProperties(messageId: .uuid(id), correlationId: .uuid(id)),
                           applicationProperties: [.string("IoThub-methodname"): .string(request.methodName)], body: .data([body]))
    }

    /// A device's answer to a method request: which request (uuid, or its text form) and the answer.
    static func methodResponse(_ message: AMQPMessage) -> (UUID, DirectMethodResponse)? {
        let id: UUID?
        switch message.properties?.correlationId {
        case .uuid(let uuid)?: id = uuid
        case .string(let text)?: id = UUID(uuidString: text)
        default: id = nil
        }
        guard let id, let status = message.applicationProperties?[string: "IoThub-status"]?.signedInteger,
              let code = Int(exactly: status) else { return nil }
        let body = message.body.bytes ?? []
        let payload = body.isEmpty ? nil : try? JSONDecoder().decode(JSONValue.self, from: Data(body))
        return (id, DirectMethodResponse(status: code, payload: payload))
    }

    /// A twin reply: the request's correlation id, `status` (int) and, after a reported patch, `version` (long).
    static func twinReply(correlationId: AMQPValue?, status: Int, version: Int? = nil, body: [UInt8] = []) -> AMQPMessage {
        var annotations = AMQPMap()
        annotations[symbol: "status"] = .int(Int32(clamping: status))
        if let version { annotations[symbol: "version"] = .long(Int64(version)) }
        return AMQPMessage(messageAnnotations: annotations, properties: AMQPMessageProperties(correlationId: correlationId),
                           body: .data([body]))
    }

    /// A desired-properties patch (no correlation id; `version` the patch's `$version`).
    static func desiredPatch(_ patch: JSONValue) -> AMQPMessage? {
        guard case .number(let version)? = patch["$version"], let body = try? JSONEncoder().encode(patch) else { return nil }
        var annotations = AMQPMap()
        annotations[symbol: "version"] = .long(Int64(exactly: version.rounded()) ?? 0)
        return AMQPMessage(messageAnnotations: annotations, properties: AMQPMessageProperties(), body: .data([Array(body)]))
    }
}
