import Foundation

/// RFC 7231 IMF-fixdate for Last-Modified and Expires.
enum DateFormatting {
    // Formatting with a configured DateFormatter is thread-safe; it is never mutated after this initialiser.
    private static let formatter: DateFormatter = {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        return formatter
    }()

    static func http(_ date: Date) -> String {
        formatter.string(from: date)
    }
}
