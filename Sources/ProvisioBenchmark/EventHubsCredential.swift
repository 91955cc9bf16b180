import AccessControl
import Foundation

/// An Event Hubs connection string (`Endpoint=sb://{host}/;SharedAccessKeyName=…;SharedAccessKey=…;EntityPath=…`) that
/// signs claims-based-security tokens for an audience.
struct EventHubsCredential: Sendable {
    let keyName: String
    let key: SharedAccessKey
    let entityPath: String

    /// Parses a connection string.
    init(connectionString: String) throws {
        var fields: [String: String] = [:]
        for pair in connectionString.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            fields[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        guard let keyName = fields["SharedAccessKeyName"], let keyText = fields["SharedAccessKey"],
              let key = try? SharedAccessKey(base64: keyText), let entityPath = fields["EntityPath"] else {
            throw BenchmarkError("an Event Hubs connection string lacks SharedAccessKeyName, SharedAccessKey or EntityPath")
        }
        self.keyName = keyName
        self.key = key
        self.entityPath = entityPath
    }

    /// A token for `audience`, valid for an hour.
    func token(audience: String) -> String {
        SharedAccessSignature.make(resource: audience, key: key, expiry: Int64(Date().timeIntervalSince1970) + 3600, keyName: keyName)
    }
}
