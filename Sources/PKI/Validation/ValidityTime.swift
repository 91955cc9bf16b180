import Foundation
import SwiftASN1

/// Converts the RFC 5280 `Time` choice (UTCTime or GeneralizedTime) to a `Date`.
enum ValidityTime {
    /// The instant `node` encodes; throws when it is neither time type.
    static func date(_ node: ASN1Node) throws -> Date {
        switch node.identifier {
        case .utcTime:
            let time = try UTCTime(derEncoded: node)
            return date(year: time.year, month: time.month, day: time.day, hours: time.hours, minutes: time.minutes,
                        seconds: time.seconds, fraction: 0)
        case .generalizedTime:
            let time = try GeneralizedTime(derEncoded: node)
            return date(year: time.year, month: time.month, day: time.day, hours: time.hours, minutes: time.minutes,
                        seconds: time.seconds, fraction: time.fractionalSeconds)
        default:
            throw ASN1Error.unexpectedFieldType(node.identifier)
        }
    }

    /// Days-from-civil (proleptic Gregorian, UTC) without Calendar, so the result never depends on the locale.
    static func date(year: Int, month: Int, day: Int, hours: Int, minutes: Int, seconds: Int, fraction: Double) -> Date {
        let shiftedYear = month <= 2 ? year - 1 : year
        let era = (shiftedYear >= 0 ? shiftedYear : shiftedYear - 399) / 400
        let yearOfEra = shiftedYear - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        let secondsSinceEpoch = Double(days * 86_400 + hours * 3_600 + minutes * 60 + seconds) + fraction
        return Date(timeIntervalSince1970: secondsSinceEpoch)
    }
}
