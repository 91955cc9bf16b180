import Foundation
import AccessControl

/// An IoT Hub service connection string, `HostName=host[:port];SharedAccessKeyName=policy;SharedAccessKey=base64`.
/// Its description never shows the key.
public struct ServiceConnectionString: Sendable, CustomStringConvertible {
    /// `HostName` as written, port included: what SAS tokens are scoped to.
    public var hostName: String
    /// The host part of `hostName`.
    public var host: String
    /// The port of `hostName`, 443 when it names none.
    public var port: Int
    /// `SharedAccessKeyName`.
    public var policyName: String
    /// `SharedAccessKey`.
    public var key: SharedAccessKey

    /// Parses `;`-separated `name=value` pairs (values split on the first `=`, names case-sensitive as in the SDK).
    public init(_ text: String) throws(HubServiceClientError) {
        var fields: [String: String] = [:]
        for pair in text.split(separator: ";", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else { throw HubServiceClientError("the connection string has a part without '='") }
            fields[String(pair[..<equals]).trimmingCharacters(in: .whitespaces)] = String(pair[pair.index(after: equals)...])
        }
        guard let hostName = fields["HostName"], !hostName.isEmpty else { throw HubServiceClientError("the connection string has no HostName") }
        guard let policyName = fields["SharedAccessKeyName"], !policyName.isEmpty else {
            throw HubServiceClientError("the connection string has no SharedAccessKeyName")
        }
        guard let keyText = fields["SharedAccessKey"], let key = try? SharedAccessKey(base64: keyText) else {
            throw HubServiceClientError("the connection string has no valid SharedAccessKey")
        }
        let (host, port) = try Self.split(hostName)
        self.hostName = hostName
        self.host = host
        self.port = port
        self.policyName = policyName
        self.key = key
    }

    /// A policy token for `hostName` like the SDK's (`sr` = `quote_plus(HostName)`), valid for `lifetime` seconds.
    public func token(now: Int64, lifetime: Int64 = 3600) -> String {
        SharedAccessSignature.make(resource: hostName, key: key, expiry: now + lifetime, keyName: policyName)
    }

    /// Redacted.
    public var description: String { "HostName=\(hostName);SharedAccessKeyName=\(policyName);SharedAccessKey=(redacted)" }

    /// `host[:port]` or `[v6]:port`.
    private static func split(_ authority: String) throws(HubServiceClientError) -> (String, Int) {
        if authority.hasPrefix("["), let close = authority.firstIndex(of: "]") {
            let host = String(authority[authority.index(after: authority.startIndex)..<close])
            let rest = authority[authority.index(after: close)...]
            guard !rest.isEmpty else { return (host, 443) }
            guard rest.hasPrefix(":"), let port = Int(rest.dropFirst()) else { throw HubServiceClientError("HostName has an invalid port") }
            return (host, port)
        }
        let parts = authority.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (authority, 443)
        case 2:
            guard let port = Int(parts[1]), (1...65535).contains(port) else { throw HubServiceClientError("HostName has an invalid port") }
            return (String(parts[0]), port)
        default: return (authority, 443)
        }
    }
}

/// Why a hub service call failed before or outside an HTTP answer; never carries keys or tokens.
public struct HubServiceClientError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
