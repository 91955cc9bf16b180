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
}
