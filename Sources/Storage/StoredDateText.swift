import Foundation
import Provisioning

/// Dates in GRDB's stored form, `yyyy-MM-dd HH:mm:ss.SSS` in UTC, without a `DateFormatter` (which costs several
/// microseconds per call on Linux). Reads go through GRDB's own parser as before.
enum StoredDateText {
    static func string(_ date: Date) -> String {
        // Milliseconds rounded to the nearest, as the formatter does (…59.9996 is the next second's .000).
        let total = Int64((date.timeIntervalSince1970 * 1000).rounded())
        let whole = total >= 0 ? total / 1000 : -((-total + 999) / 1000)
        return RegistrationTimestamp.utcText(seconds: Int(whole), fraction: Int(total - whole * 1000), fractionDigits: 3,
                                             separator: UInt8(ascii: " "), suffix: "")
    }
}
