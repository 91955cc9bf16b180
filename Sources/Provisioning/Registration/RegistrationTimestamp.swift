import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// DPS and IoT Hub timestamps: ISO 8601 in UTC with seven fractional digits, as Azure writes them.
public enum RegistrationTimestamp {
    /// Formats `date` like `2024-01-01T00:00:00.0000000Z`.
    ///
    /// Uses `gmtime_r` rather than a `Calendar`: this runs for every telemetry message and twin change.
    public static func string(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let fraction = min(9_999_999, max(0, Int(((seconds - whole) * 10_000_000).rounded(.down))))
        var time = time_t(whole)
        var parts = tm()
        gmtime_r(&time, &parts)
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%07dZ", Int(parts.tm_year) + 1900, Int(parts.tm_mon) + 1,
                      Int(parts.tm_mday), Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec), fraction)
    }
}
