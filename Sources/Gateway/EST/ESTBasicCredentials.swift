import Foundation

/// The `Authorization: Basic …` credential of an EST client: the registration id and the device's symmetric key.
struct ESTBasicCredentials: Sendable {
    /// The user name: the registration id.
    var registrationId: String
    /// The password: the base64 symmetric key (never logged).
    var key: String

    /// Parses the header value; nil when it is not a well-formed Basic credential.
    init?(authorization: String) {
        let parts = authorization.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic",
              let decoded = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
              let text = String(data: decoded, encoding: .utf8),
              let colon = text.firstIndex(of: ":")
        else { return nil }
        registrationId = String(text[..<colon])
        key = String(text[text.index(after: colon)...])
        guard !registrationId.isEmpty, !key.isEmpty else { return nil }
    }
}
