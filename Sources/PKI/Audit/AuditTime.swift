import Foundation

/// UTC timestamps in audit details and listings: ISO 8601 with milliseconds (`2025-01-31T12:00:00.000Z`).
public enum AuditTime {
    /// `date` as ISO 8601 UTC with milliseconds.
    public static func text(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
    }

    /// Milliseconds since 1970 for `date`.
    public static func milliseconds(_ date: Date) -> Int64 {
        Int64((date.timeIntervalSince1970 * 1000).rounded(.down))
    }
}
