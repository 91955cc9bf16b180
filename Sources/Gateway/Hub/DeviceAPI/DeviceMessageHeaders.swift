import Foundation
import Hub
import HTTPTypes

/// IoT Hub's HTTPS message headers ⇄ message properties: `iothub-app-{name}` carries an application property, the
/// `iothub-…` system headers carry system properties (the C SDK percent-encodes content type and encoding).
enum DeviceMessageHeaders {
    /// Header name → system property name, for what a device may set on telemetry.
    static let systemHeaders: [String: String] = [
        "iothub-messageid": "message-id", "iothub-correlationid": "correlation-id", "iothub-userid": "user-id",
        "iothub-to": "to", "iothub-expiry": "expiry-time-utc", "iothub-contenttype": "content-type",
        "iothub-contentencoding": "content-encoding", "iothub-creationtimeutc": "iothub-creation-time-utc",
        "iothub-interface-id": "interface-id", "dt-subject": "dt-subject",
    ]
    /// The application-property header prefix.
    static let applicationPrefix = "iothub-app-"
    /// Values that are percent-encoded on the wire.
    static let encodedValues: Set<String> = ["content-type", "content-encoding"]

    /// The properties of a single telemetry message from its request headers; `Content-Type` stands in for a missing
    /// `iothub-contenttype` unless it is the SDKs' generic `application/octet-stream` (or the C SDK's form type).
    static func properties(_ headers: HTTPFields) throws(HubError) -> MessagePropertyBag {
        var bag = MessagePropertyBag()
        for field in headers {
            try add(name: field.name.canonicalName, value: field.value, to: &bag)
        }
        if bag.systemProperties["content-type"] == nil, let contentType = headers[.contentType],
           !contentType.hasPrefix("application/octet-stream"), !contentType.hasPrefix("application/x-www-form-urlencoded") {
            bag.systemProperties["content-type"] = contentType
        }
        return bag
    }

    /// The properties of one batch item (`properties` keyed by the same header names).
    static func properties(_ items: [String: String]) throws(HubError) -> MessagePropertyBag {
        var bag = MessagePropertyBag()
        for (name, value) in items {
            try add(name: name.lowercased(), value: value, to: &bag)
        }
        return bag
    }

    private static func add(name: String, value: String, to bag: inout MessagePropertyBag) throws(HubError) {
        if name.hasPrefix(applicationPrefix) {
            let key = String(name.dropFirst(applicationPrefix.count))
            guard !key.isEmpty else { throw .badRequest("an application property needs a name after iothub-app-") }
            guard !MessagePropertyBag.isReservedApplicationName(key) else { return }
            bag.applicationProperties[key] = value
        } else if let system = systemHeaders[name] {
            bag.systemProperties[system] = encodedValues.contains(system) ? (value.removingPercentEncoding ?? value) : value
        }
    }

    /// The response headers of a polled C2D message, as the C SDK reads them.
    static func headers(for locked: LockedCloudToDeviceMessage) -> HTTPFields {
        let message = locked.message
        var headers = HTTPFields()
        func set(_ name: String, _ value: String?) {
            guard let value, let field = HTTPField.Name(name) else { return }
            // Header values cannot carry line breaks; anything else a sender set is passed on.
            headers[field] = value.filter { $0 != "\r" && $0 != "\n" }
        }
        set("ETag", "\"\(locked.lockToken)\"")
        set("iothub-messageid", message.messageId)
        set("iothub-correlationid", message.correlationId)
        set("iothub-userid", message.userId)
        set("iothub-to", "/devices/\(message.deviceId)/messages/deviceBound")
        set("iothub-deliverycount", String(message.deliveryCount))
        set("iothub-sequencenumber", message.sequenceNumber.map(String.init))
        set("iothub-enqueuedtime", DateFormatting.http(message.enqueuedTime))
        set("iothub-expiry", DateFormatting.http(message.expiryTime))
        set("iothub-ack", message.ack.rawValue)
        set("ContentType", message.contentType)
        set("ContentEncoding", message.contentEncoding)
        for (key, value) in message.properties.sorted(by: { $0.key < $1.key }) {
            set(applicationPrefix + key, value)
        }
        headers[.contentType] = "application/octet-stream"
        return headers
    }
}
