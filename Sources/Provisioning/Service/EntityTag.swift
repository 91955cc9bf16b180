/// DPS etags: a UUID wrapped in double quotes inside the JSON string (`"\"…\""`), and If-Match normalisation.
public enum EntityTag {
    /// A fresh etag built from 16 random bytes (a version-4 UUID, lower-case, quoted).
    public static func make(randomBytes: [UInt8]) -> String {
        var bytes = Array(randomBytes.prefix(16))
        bytes += Array(repeating: 0, count: 16 - bytes.count)
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = bytes.map { byte in
            let digits = String(byte, radix: 16)
            return digits.count == 1 ? "0" + digits : digits
        }
        let groups = [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }
        return "\"" + groups.joined(separator: "-") + "\""
    }

    /// What an `If-Match` header asks for.
    public enum Precondition: Sendable, Equatable {
        /// `*`: the record must exist, whatever its etag.
        case exists
        /// The record's etag must equal this (quoted) value.
        case etag(String)
    }

    /// Reads an `If-Match` value; nil or blank means no precondition. Unquoted and weak (`W/`) tags are normalised to the quoted form.
    public static func precondition(ifMatch: String?) -> Precondition? {
        guard var value = ifMatch.map(trimmed), !value.isEmpty else { return nil }
        if value == "*" { return .exists }
        if value.hasPrefix("W/") { value.removeFirst(2) }
        if !(value.count >= 2 && value.hasPrefix("\"") && value.hasSuffix("\"")) {
            value = "\"" + value + "\""
        }
        return .etag(value)
    }

    private static func trimmed(_ text: String) -> String {
        var slice = Substring(text)
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
