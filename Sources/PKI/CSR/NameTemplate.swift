import Foundation

/// A subject alternative name template such as `{deviceId}.devices.example.com` or `urn:example:{registrationId}`.
///
/// The only placeholders are `{registrationId}` and `{deviceId}`; any other `{…}` is a configuration error.
public struct NameTemplate: Sendable, Equatable, Codable, CustomStringConvertible {
    /// The template as written.
    public let text: String

    /// Parses and checks `text`.
    public init(_ text: String) throws {
        let stripped = Self.placeholders.reduce(text) { $0.replacingOccurrences(of: "{\($1)}", with: "") }
        guard !text.isEmpty, !stripped.contains("{"), !stripped.contains("}") else {
            throw PKIError(code: .invalidConfiguration,
                           message: "name template '\(text)' is empty or uses a placeholder other than {registrationId} and {deviceId}")
        }
        self.text = text
    }

    /// Decodes a template from a YAML string.
    public init(from decoder: any Decoder) throws {
        try self.init(try decoder.singleValueContainer().decode(String.self))
    }

    /// Encodes the template text.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(text)
    }

    /// The name for one device.
    public func render(registrationId: String, deviceId: String) -> String {
        text.replacingOccurrences(of: "{registrationId}", with: registrationId)
            .replacingOccurrences(of: "{deviceId}", with: deviceId)
    }

    /// The template text.
    public var description: String { text }

    private static let placeholders = ["registrationId", "deviceId"]
}
