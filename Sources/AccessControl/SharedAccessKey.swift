import Crypto
import Foundation

/// A symmetric key used to sign SAS tokens; its description never reveals the key.
public struct SharedAccessKey: Sendable, Equatable, CustomStringConvertible {
    /// The raw key bytes.
    public let bytes: [UInt8]

    /// Wraps raw key bytes.
    public init(bytes: [UInt8]) { self.bytes = bytes }

    /// Decodes a Base64 key; Azure accepts 16–64 bytes.
    public init(base64: String) throws(SecurityError) {
        guard let data = Data(base64Encoded: base64), (16...64).contains(data.count) else {
            throw SecurityError(.invalidKey, "a key must be Base64 text of 16 to 64 bytes")
        }
        self.bytes = Array(data)
    }

    /// Generates a fresh key of `byteCount` random bytes (Azure generates 64).
    public static func generate(byteCount: Int = 64, using generator: inout some RandomNumberGenerator) -> SharedAccessKey {
        SharedAccessKey(bytes: (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Generates a fresh key from the system's secure random source.
    public static func generate(byteCount: Int = 64) -> SharedAccessKey {
        var generator = SystemRandomNumberGenerator()
        return generate(byteCount: byteCount, using: &generator)
    }

    /// The Base64 form used in connection strings and enrollment JSON.
    public var base64: String { Data(bytes).base64EncodedString() }

    /// HMAC-SHA256 of `message` under this key.
    public func sign(_ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: bytes)))
    }

    /// The key as Service Bus and Event Hubs clients use it: the UTF-8 bytes of its Base64 text, not the decoded bytes
    /// (`azure-eventhub` signs with `key.encode("utf-8")`), so a policy's tokens verify under either form.
    public var serviceBusForm: SharedAccessKey { SharedAccessKey(bytes: Array(base64.utf8)) }

    /// The key a group member derives: HMAC-SHA256(groupKey, registrationId).
    public func derived(for registrationId: String) -> SharedAccessKey {
        SharedAccessKey(bytes: sign(Array(registrationId.utf8)))
    }

    /// Redacted: keys never appear in logs.
    public var description: String { "SharedAccessKey(redacted)" }
}
