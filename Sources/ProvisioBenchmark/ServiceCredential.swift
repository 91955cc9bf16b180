import Foundation
import AccessControl

/// A service connection string (`HostName=…;SharedAccessKeyName=…;SharedAccessKey=…`) that signs policy tokens.
struct ServiceCredential: Sendable {
    /// `HostName` as written, port included: what tokens are scoped to.
    let hostName: String
    /// The shared access policy name.
    let keyName: String
    let key: SharedAccessKey

    /// Parses a connection string.
    init(connectionString: String) throws {
        var fields: [String: String] = [:]
        for pair in connectionString.split(separator: ";") {
            guard let equals = pair.firstIndex(of: "=") else { continue }
            fields[String(pair[..<equals])] = String(pair[pair.index(after: equals)...])
        }
        guard let hostName = fields["HostName"], let keyName = fields["SharedAccessKeyName"],
              let keyText = fields["SharedAccessKey"], let key = try? SharedAccessKey(base64: keyText)
        else { throw BenchmarkError("a service connection string lacks HostName, SharedAccessKeyName or a valid SharedAccessKey") }
        self.hostName = hostName
        self.keyName = keyName
        self.key = key
    }

    /// A policy token scoped to the host, valid for an hour (what the Azure service SDKs send).
    func token() -> String {
        SharedAccessSignature.make(resource: hostName, key: key, expiry: Int64(Date().timeIntervalSince1970) + 3600, keyName: keyName)
    }
}
