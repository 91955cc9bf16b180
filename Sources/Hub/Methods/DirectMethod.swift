import Foundation
import Provisioning

/// A direct-method call from the service (`POST /twins/{id}/methods`).
public struct DirectMethodRequest: Sendable, Equatable, Codable {
    /// Method name (no `/`).
    public var methodName: String
    /// JSON payload.
    public var payload: JSONValue?
    /// Seconds to wait for the device's answer (5–300, default 30).
    public var responseTimeoutInSeconds: Int?
    /// Seconds to wait for the device to connect (default 0).
    public var connectTimeoutInSeconds: Int?

    /// Creates a request.
    public init(methodName: String, payload: JSONValue?, responseTimeoutInSeconds: Int? = nil, connectTimeoutInSeconds: Int? = nil) {
        self.methodName = methodName
        self.payload = payload
        self.responseTimeoutInSeconds = responseTimeoutInSeconds
        self.connectTimeoutInSeconds = connectTimeoutInSeconds
    }

    /// Checks name and timeouts.
    public func validate() throws(HubError) {
        guard !methodName.isEmpty, methodName.count <= 128, !methodName.contains("/"), !methodName.contains("?") else {
            throw .badRequest("methodName must be 1–128 characters without '/' or '?'")
        }
        if let timeout = responseTimeoutInSeconds, !(5...300).contains(timeout) {
            throw .badRequest("responseTimeoutInSeconds must be 5–300")
        }
        if let timeout = connectTimeoutInSeconds, !(0...300).contains(timeout) {
            throw .badRequest("connectTimeoutInSeconds must be 0–300")
        }
        guard Self.encodedSize(of: payload) <= Self.maximumPayloadSize else {
            throw .tooLarge("a direct method payload may be at most 128 KB")
        }
    }

    /// IoT Hub's limit on a method's request and response payloads (128 KB of JSON each).
    public static let maximumPayloadSize = 128 * 1024

    /// The payload's size as JSON text; a payload that does not encode counts as over any limit.
    static func encodedSize(of payload: JSONValue?) -> Int {
        guard let payload else { return 0 }
        return (try? JSONEncoder().encode(payload).count) ?? Int.max
    }
}

/// The device's answer: its status code and payload.
public struct DirectMethodResponse: Sendable, Equatable, Codable {
    /// Status chosen by the device application.
    public var status: Int
    /// JSON payload from the device.
    public var payload: JSONValue?

    /// Creates a response.
    public init(status: Int, payload: JSONValue?) {
        self.status = status
        self.payload = payload
    }

    /// The response, or IoT Hub's 413 when the device answered with more than 128 KB: an oversized answer is refused,
    /// not relayed to the caller.
    public func checked() throws(HubError) -> DirectMethodResponse {
        guard DirectMethodRequest.encodedSize(of: payload) <= DirectMethodRequest.maximumPayloadSize else {
            throw .tooLarge("the device's method response payload is over 128 KB")
        }
        return self
    }
}
