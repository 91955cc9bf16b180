import Foundation
import SwiftASN1

/// The two ASN.1 time encodings X.509 and OCSP use, built from a `Date` truncated to whole seconds.
enum ASN1Time {
    /// RFC 5280 §5.1.2.4: UTCTime for dates through 2049, GeneralizedTime from 2050 on.
    static func serializeX509Time(_ date: Date, into coder: inout DER.Serializer) throws {
        let parts = components(date)
        if parts.year < 2050 {
            try coder.serialize(try UTCTime(year: parts.year, month: parts.month, day: parts.day,
                                            hours: parts.hour, minutes: parts.minute, seconds: parts.second))
        } else {
            try coder.serialize(try generalizedTime(date))
        }
    }

    /// A GeneralizedTime without fractional seconds (OCSP's producedAt, thisUpdate, nextUpdate, revocationTime).
    static func generalizedTime(_ date: Date) throws -> GeneralizedTime {
        let parts = components(date)
        return try GeneralizedTime(year: parts.year, month: parts.month, day: parts.day, hours: parts.hour,
                                   minutes: parts.minute, seconds: parts.second, fractionalSeconds: 0)
    }

    private static let calendar: Calendar = {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        return calendar
    }()

    private static func components(_ date: Date) -> (year: Int, month: Int, day: Int, hour: Int, minute: Int, second: Int) {
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .minute, .second],
                                            from: Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
        return (parts.year ?? 1970, parts.month ?? 1, parts.day ?? 1, parts.hour ?? 0, parts.minute ?? 0, parts.second ?? 0)
    }
}
