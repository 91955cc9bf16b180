import Foundation
import Gateway

/// The shard's service REST calls the hub commands make, with IoT Hub error bodies turned into one-line `CLIError`s.
struct HubServiceAPI: Sendable {
    /// The `api-version` the `azure-iot-hub` SDK sends (the server accepts any).
    static let apiVersion = "2021-04-12"

    let client: HubServiceClient

    /// Sends a request and returns the parsed JSON body (nil for an empty one); non-2xx answers throw.
    @discardableResult
    func call(_ method: String, _ path: String, json body: Any? = nil, headers: [String: String] = [:],
              timeout: Duration = .seconds(60)) async throws -> Any? {
        try await send(method, path, json: body, headers: headers, timeout: timeout).json
    }

    /// Sends a request and returns status, headers and parsed body; non-2xx answers throw.
    func send(_ method: String, _ path: String, json body: Any? = nil, headers: [String: String] = [:],
              timeout: Duration = .seconds(60)) async throws -> (headers: [String: String], json: Any?) {
        let separator = path.contains("?") ? "&" : "?"
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0, options: [.fragmentsAllowed]) }
        let response = try await client.send(method, path + separator + "api-version=\(Self.apiVersion)", body: data,
                                             headers: headers, timeout: timeout)
        let parsed = response.body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: response.body, options: [.fragmentsAllowed])
        guard (200..<300).contains(response.status) else { throw Self.failure(response, parsed) }
        return (response.headers, parsed)
    }

    /// `/devices/{id}`-style path segment: the id percent-encoded like the SDK does.
    static func segment(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn:
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? id
    }

    /// Pretty, sorted JSON text for printing.
    static func pretty(_ value: Any?) -> String {
        guard let value,
              let data = try? JSONSerialization.data(withJSONObject: value, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes, .fragmentsAllowed])
        else { return "null" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `DeviceNotFound: device x does not exist on this hub (HTTP 404)` from the IoT Hub error body.
    private static func failure(_ response: HubServiceClient.Response, _ body: Any?) -> CLIError {
        let message = (body as? [String: Any])?["Message"] as? String
        guard let message, message.hasPrefix("ErrorCode:"), let separator = message.firstIndex(of: ";") else {
            return CLIError("the hub answered HTTP \(response.status)")
        }
        let name = message[message.index(message.startIndex, offsetBy: "ErrorCode:".count)..<separator]
        return CLIError("\(name): \(message[message.index(after: separator)...]) (HTTP \(response.status))")
    }
}
