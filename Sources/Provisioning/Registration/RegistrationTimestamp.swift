import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// DPS and IoT Hub timestamps: ISO 8601 in UTC with seven fractional digits, as Azure writes them.
public enum RegistrationTimestamp {
    /// Formats `date` like `2024-01-01T00:00:00.0000000Z`.
    ///
    /// Uses `gmtime_r` and hand-written digits rather than a `Calendar` or `String(format:)`: this runs for every telemetry message and twin change.
    public static func string(_ date: Date) -> String {
        let seconds = date.timeIntervalSince1970
        let whole = floor(seconds)
        let fraction = min(9_999_999, max(0, Int(((seconds - whole) * 10_000_000).rounded(.down))))
        return utcText(seconds: Int(whole), fraction: fraction, fractionDigits: 7, separator: UInt8(ascii: "T"), suffix: "Z")
    }

    /// `yyyy-MM-dd{separator}HH:mm:ss.{fraction}{suffix}` for a UTC time `seconds` after 1970 and a fraction already
    /// scaled to `fractionDigits` digits. Shared with the storage layer's date text.
    public static func utcText(seconds: Int, fraction: Int, fractionDigits: Int, separator: UInt8, suffix: String) -> String {
        var time = time_t(seconds)
        var parts = tm()
        gmtime_r(&time, &parts)
        var text = [UInt8]()
        text.reserveCapacity(20 + fractionDigits + suffix.utf8.count)
        func append(_ value: Int, digits: Int) {
            var divisor = 1
            for _ in 1..<digits { divisor *= 10 }
            var rest = value
            while divisor > 0 {
                text.append(UInt8(ascii: "0") + UInt8(truncatingIfNeeded: rest / divisor % 10))
                rest %= divisor
                divisor /= 10
            }
        }
        append(Int(parts.tm_year) + 1900, digits: 4)
        text.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mon) + 1, digits: 2)
        text.append(UInt8(ascii: "-"))
        append(Int(parts.tm_mday), digits: 2)
        text.append(separator)
        append(Int(parts.tm_hour), digits: 2)
        text.append(UInt8(ascii: ":"))
        append(Int(parts.tm_min), digits: 2)
        text.append(UInt8(ascii: ":"))
        append(Int(parts.tm_sec), digits: 2)
        text.append(UInt8(ascii: "."))
        append(fraction, digits: fractionDigits)
        text.append(contentsOf: suffix.utf8)
        return String(decoding: text, as: UTF8.self)
    }
}
