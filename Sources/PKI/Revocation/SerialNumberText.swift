import Foundation

/// Serial numbers as text: the inventory's canonical form and the DER INTEGER content bytes behind it.
public enum SerialNumberText {
    /// The canonical inventory form of a serial typed by a person or sent in an API call.
    ///
    /// Accepts hex as `openssl x509 -serial` prints it, in any case, with or without `:` separators or a `0x` prefix;
    /// returns lowercase hex without leading zero bytes (`00` for zero), or nil when the text is not hex.
    public static func canonical(_ text: String) -> String? {
        var digits = text.trimmingCharacters(in: .whitespaces).lowercased()
        if digits.hasPrefix("serial=") { digits.removeFirst("serial=".count) }
        if digits.hasPrefix("0x") { digits.removeFirst(2) }
        digits.removeAll { $0 == ":" }
        guard !digits.isEmpty, digits.count <= 80, digits.allSatisfy(\.isHexDigit) else { return nil }
        if digits.count % 2 == 1 { digits = "0" + digits }
        while digits.hasPrefix("00") { digits.removeFirst(2) }
        return digits.isEmpty ? "00" : digits
    }

    /// The canonical form of a serial's DER INTEGER content bytes (the inventory's `serialNumber`).
    public static func canonical(bytes: some Collection<UInt8>) -> String {
        let significant = bytes.drop { $0 == 0 }
        return significant.isEmpty ? "00" : significant.hexString
    }

    /// The DER INTEGER content bytes for a canonical serial: the hex bytes, with a `00` in front when the first byte
    /// has its top bit set, so the value stays positive as the CA issued it.
    public static func integerContentBytes(_ canonical: String) -> [UInt8] {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(canonical.utf8.count / 2 + 1)
        var high: UInt8?
        for character in canonical.utf8 {
            guard let nibble = Self.nibble(character) else { continue }
            if let first = high {
                bytes.append(first << 4 | nibble)
                high = nil
            } else {
                high = nibble
            }
        }
        if bytes.isEmpty { return [0] }
        if bytes[0] & 0x80 != 0 { bytes.insert(0, at: 0) }
        return bytes
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
