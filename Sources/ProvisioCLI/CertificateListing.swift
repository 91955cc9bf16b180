import Foundation
import PKI

/// How `provisio cert` prints inventory entries: tab-separated rows or JSON.
enum CertificateListing {
    /// `serial  status  device  notAfter  subject  [revokedAt reason]`.
    static func row(_ entry: CertificateInventoryEntry) -> String {
        let record = entry.record
        var fields = [record.serialNumber, record.status.rawValue, record.deviceId ?? "-",
                      record.notAfter.formatted(.iso8601), record.subject]
        if let revocation = entry.revocation {
            fields += [revocation.revocationDate.formatted(.iso8601), revocation.reason.name]
        }
        return fields.map(CLIError.oneLine).joined(separator: "\t")
    }

    /// The entries as a pretty JSON array.
    static func json(_ entries: [CertificateInventoryEntry]) throws -> String {
        let objects: [[String: Any]] = entries.map { entry in
            let record = entry.record
            var object: [String: Any] = [
                "serialNumber": record.serialNumber, "status": record.status.rawValue, "subject": record.subject,
                "issuer": record.issuer, "profile": record.profile,
                "notBefore": record.notBefore.formatted(.iso8601), "notAfter": record.notAfter.formatted(.iso8601),
            ]
            object["deviceId"] = record.deviceId
            object["enrollmentId"] = record.enrollmentId
            if let revocation = entry.revocation {
                object["revokedAt"] = revocation.revocationDate.formatted(.iso8601)
                object["revocationReason"] = revocation.reason.name
            }
            return object
        }
        let data = try JSONSerialization.data(withJSONObject: objects, options: [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes])
        return String(decoding: data, as: UTF8.self)
    }

    /// Seconds in `30d`, `12h`, `2w`, `45m` or a bare number of days; nil for anything else.
    static func duration(_ text: String) -> TimeInterval? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        let units: [Character: TimeInterval] = ["m": 60, "h": 3600, "d": 86_400, "w": 7 * 86_400]
        if let last = trimmed.last, let unit = units[last], let value = Double(trimmed.dropLast()), value >= 0 {
            return value * unit
        }
        if let days = Double(trimmed), days >= 0 { return days * 86_400 }
        return nil
    }
}
