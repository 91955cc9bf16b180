import Foundation

/// Parses a profile's `validity` string (`20y`, `397d`, `24h`, `30m`) into seconds.
///
/// Units: `y` = 365 days, `d` = days, `h` = hours, `m` = minutes. Months are deliberately not a unit so
/// `m` cannot be misread; a year is fixed at 365 days so a duration never depends on the issuance date.
enum ValidityPeriod {
    /// The longest validity accepted, so `notAfter` stays in a sane range and arithmetic cannot overflow.
    static let maximumSeconds: Int = 100 * 365 * 86_400

    /// The duration in seconds, or a `PKIError.invalidConfiguration` naming the bad value.
    static func seconds(from text: String) throws -> TimeInterval {
        guard let unit = text.last, let multiplier = multiplier(for: unit) else {
            throw invalid(text, reason: "expected a number followed by y, d, h or m")
        }
        let digits = text.dropLast()
        guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }), digits.count <= 6,
            let count = Int(digits)
        else {
            throw invalid(text, reason: "expected a positive whole number before the unit")
        }
        let (total, overflow) = count.multipliedReportingOverflow(by: multiplier)
        guard count > 0, !overflow, total <= maximumSeconds else {
            throw invalid(text, reason: "must be more than zero and at most 100 years")
        }
        return TimeInterval(total)
    }

    private static func multiplier(for unit: Character) -> Int? {
        switch unit {
        case "y": return 365 * 86_400
        case "d": return 86_400
        case "h": return 3_600
        case "m": return 60
        default: return nil
        }
    }

    private static func invalid(_ text: String, reason: String) -> PKIError {
        PKIError(code: .invalidConfiguration, message: "invalid validity '\(text)': \(reason)")
    }
}
