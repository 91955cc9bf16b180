/// DPS's rules for a registration id, checked wherever one enters: device registration (MQTT and HTTPS) and
/// enrollment creation (single and bulk).
///
/// DPS: a case-insensitive string of at most 128 ASCII letters, digits and `-`, `.`, `_`, `:`, whose last character is
/// a letter, a digit or `-`. Anything else (spaces, `*`, markup, non-ASCII, over-long ids) is refused with 400 before
/// it reaches storage, logs or a hub.
public enum RegistrationIdentifier {
    /// The longest registration id DPS accepts.
    public static let maximumLength = 128

    /// Whether `id` is a registration id DPS would accept.
    public static func isValid(_ id: String) -> Bool {
        let bytes = id.utf8
        guard (1...maximumLength).contains(bytes.count), let last = bytes.last else { return false }
        return bytes.allSatisfy(isAllowed) && (isAlphanumeric(last) || last == UInt8(ascii: "-"))
    }

    /// Throws DPS's 400 (`errorCode` 400004) with a message naming the rule (never echoing the refused id, which may be
    /// arbitrarily long or carry markup).
    public static func validate(_ id: String, name: String = "registrationId") throws(ProvisioningError) {
        guard isValid(id) else {
            throw .badRequest("\(name) is invalid: use 1 to \(maximumLength) characters of letters, digits, '-', '.', '_' and ':',"
                + " ending in a letter, a digit or '-'")
        }
    }

    private static func isAllowed(_ byte: UInt8) -> Bool {
        isAlphanumeric(byte) || byte == UInt8(ascii: "-") || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "_")
            || byte == UInt8(ascii: ":")
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
            || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)
    }
}
