import Foundation

/// An Azure Storage service SAS for one blob (`sr=b`), version 2018-03-28 — what IoT Hub hands devices for file
/// upload and what azure-storage-blob replays in the query of every blob request. The signature is HMAC-SHA256 over
/// Azure's string-to-sign for that version: `sp, st, se, /blob/{account}/{container}/{blob}, si, sip, spr, sv, rscc,
/// rscd, rsce, rscl, rsct`, one per line.
public struct BlobServiceSignature: Sendable, Equatable {
    /// The only signed version Provisio issues and accepts.
    public static let version = "2018-03-28"

    /// `sp`: permission letters (`r`, `w`, `c`, …).
    public var permissions: String
    /// `se`: expiry, ISO 8601 UTC without fractions.
    public var expiry: String
    /// `sig`: base64 signature.
    public var signature: String
    /// Every query parameter as sent, decoded (`st`, `sip`, `spr`, `rscc`, … take part in the signature).
    public var parameters: [String: String]

    /// Parses the SAS parameters of a blob request's query; nil when it holds no `sig`.
    public init?(query parameters: [String: String]) {
        guard let signature = parameters["sig"] else { return nil }
        self.signature = signature
        self.permissions = parameters["sp"] ?? ""
        self.expiry = parameters["se"] ?? ""
        self.parameters = parameters
    }

    /// Issues a SAS for `account/container/blob` with `permissions` until `expiry`, signed with `key`; returns the
    /// query text with a leading `?`, as IoT Hub's `sasToken` field.
    public static func issue(account: String, container: String, blob: String, permissions: String, expiry: Date,
                             key: SharedAccessKey) -> String {
        let expiryText = timestamp(expiry)
        var parameters = ["sv": version, "sr": "b", "sp": permissions, "se": expiryText]
        let signature = Data(key.sign(Array(stringToSign(parameters, account: account, container: container, blob: blob).utf8)))
            .base64EncodedString()
        parameters["sig"] = signature
        return "?" + ["sv", "sr", "sig", "se", "sp"].map { "\($0)=\(escape(parameters[$0] ?? ""))" }.joined(separator: "&")
    }

    /// Issues a container SAS (`sr=c`) for every blob of `account/container` (import and export jobs' containers).
    public static func issue(account: String, container: String, permissions: String, expiry: Date, key: SharedAccessKey) -> String {
        let expiryText = timestamp(expiry)
        var parameters = ["sv": version, "sr": "c", "sp": permissions, "se": expiryText]
        parameters["sig"] = Data(key.sign(Array(stringToSign(parameters, account: account, container: container, blob: nil).utf8)))
            .base64EncodedString()
        return "?" + ["sv", "sr", "sig", "se", "sp"].map { "\($0)=\(escape(parameters[$0] ?? ""))" }.joined(separator: "&")
    }

    /// Checks version, resource (`sr=b`), expiry at `now`, that `required` is among the permissions, and the signature
    /// for exactly `account/container/blob`. Throws a message fit for Azure's `AuthenticationFailed` or
    /// `AuthorizationPermissionMismatch` error.
    public func validate(account: String, container: String, blob: String, required: Character, key: SharedAccessKey,
                         now: Date) throws(BlobSignatureFailure) {
        guard parameters["sv"] == Self.version else { throw .authenticationFailed("the signed version is not \(Self.version)") }
        // A container SAS (sr=c) covers every blob of its container and is signed without a blob name.
        guard parameters["sr"] == "b" || parameters["sr"] == "c" else {
            throw .authenticationFailed("the signed resource is not a blob or container (sr=b, sr=c)")
        }
        let signedBlob = parameters["sr"] == "c" ? nil : blob
        let expected = Data(key.sign(Array(Self.stringToSign(parameters, account: account, container: container, blob: signedBlob).utf8)))
        guard let given = Data(base64Encoded: signature), Self.constantTimeEqual(Array(given), Array(expected)) else {
            throw .authenticationFailed("Signature did not match. The SAS does not grant access to this blob")
        }
        guard let expiryDate = Self.parseTimestamp(expiry), expiryDate > now else {
            throw .authenticationFailed("Signed expiry time has passed")
        }
        if let start = parameters["st"], let startDate = Self.parseTimestamp(start), startDate > now {
            throw .authenticationFailed("Signed start time is in the future")
        }
        guard permissions.contains(required) else {
            throw .permissionMismatch("the SAS does not grant the '\(required)' permission")
        }
    }

    static func stringToSign(_ parameters: [String: String], account: String, container: String, blob: String?) -> String {
        let resource = blob.map { "/blob/\(account)/\(container)/\($0)" } ?? "/blob/\(account)/\(container)"
        return [parameters["sp"], parameters["st"], parameters["se"], resource, parameters["si"], parameters["sip"],
                parameters["spr"], parameters["sv"], parameters["rscc"], parameters["rscd"], parameters["rsce"],
                parameters["rscl"], parameters["rsct"]].map { $0 ?? "" }.joined(separator: "\n")
    }

    static func constantTimeEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        return zip(a, b).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `2026-12-05T13:00:00Z`.
    static func timestamp(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: TimeZone(identifier: "UTC") ?? .current))
    }

    static func parseTimestamp(_ text: String) -> Date? {
        (try? Date.ISO8601FormatStyle().parse(text)) ?? (try? Date(text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true)))
    }

    static func escape(_ text: String) -> String {
        text.addingPercentEncoding(withAllowedCharacters: CharacterSet(charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")) ?? text
    }
}
