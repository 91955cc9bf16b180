import Crypto
import Foundation

/// A parsed `SharedAccessSignature sr=…&sig=…&se=…[&skn=…]` token, as Azure SDKs send it.
public struct SharedAccessSignature: Sendable, Equatable {
    /// The resource URI exactly as it appears in the token (still percent-encoded); this is what was signed.
    public var rawResource: String
    /// The percent-decoded resource URI.
    public var resource: String
    /// The decoded signature bytes.
    public var signature: [UInt8]
    /// Expiry in Unix seconds.
    public var expiry: Int64
    /// The shared access policy (key) name, when the token names one.
    public var keyName: String?

    /// Parses a token; parameter order does not matter.
    public init(parsing token: String) throws(SecurityError) {
        let prefix = "SharedAccessSignature "
        guard token.hasPrefix(prefix) else {
            throw SecurityError(.malformedToken, "token does not start with 'SharedAccessSignature'")
        }
        var fields: [String: String] = [:]
        for pair in token.dropFirst(prefix.count).split(separator: "&", omittingEmptySubsequences: true) {
            guard let equals = pair.firstIndex(of: "=") else {
                throw SecurityError(.malformedToken, "token field without '='")
            }
            let key = String(pair[..<equals].trimmingSpaces)
            guard fields[key] == nil else { throw SecurityError(.malformedToken, "token field '\(key)' appears twice") }
            fields[key] = String(pair[pair.index(after: equals)...])
        }
        guard let sr = fields["sr"], !sr.isEmpty else { throw SecurityError(.malformedToken, "token has no 'sr'") }
        guard let sig = fields["sig"], let decodedSig = sig.percentDecoded,
              let signature = Data(base64Encoded: decodedSig), !signature.isEmpty
        else { throw SecurityError(.malformedToken, "token has no valid 'sig'") }
        guard let se = fields["se"] else { throw SecurityError(.malformedToken, "token has no 'se'") }
        let expiry = try Self.expiry(parsing: se)
        guard let resource = sr.percentDecoded else {
            throw SecurityError(.malformedToken, "token 'sr' is not valid percent-encoding")
        }
        self.rawResource = sr
        self.resource = resource
        self.signature = Array(signature)
        self.expiry = expiry
        self.keyName = fields["skn"].flatMap { $0.percentDecoded }
    }

    /// The latest `se` accepted: the last second of the year 9999 (what ISO 8601 and `Date` formatting can write).
    /// Later values are refused rather than clamped: a signature covers the exact text, and every use of the expiry
    /// (connection close timers, logs) then stays far from the limits of `Int64` milliseconds.
    public static let maximumExpiry: Int64 = 253_402_300_799

    /// `se`: 1–12 decimal digits (no sign, fraction or exponent), at most `maximumExpiry`.
    static func expiry(parsing text: String) throws(SecurityError) -> Int64 {
        let digits = text.utf8
        guard !digits.isEmpty, digits.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) else {
            throw SecurityError(.malformedToken, "token 'se' must be whole Unix seconds (decimal digits only)")
        }
        guard digits.count <= 12, let value = Int64(text), value <= maximumExpiry else {
            throw SecurityError(.malformedToken, "token 'se' is later than the year 9999")
        }
        return value
    }

    /// Builds a token for `resource` signed with `key`; used by tools and tests.
    public static func make(
        resource: String, key: SharedAccessKey, expiry: Int64, keyName: String? = nil
    ) -> String {
        let encodedResource = resource.addingPercentEncoding(withAllowedCharacters: .sasUnreserved) ?? resource
        let signature = key.sign(Array("\(encodedResource)\n\(expiry)".utf8))
        let encodedSignature = Data(signature).base64EncodedString()
            .addingPercentEncoding(withAllowedCharacters: .sasUnreserved) ?? ""
        var token = "SharedAccessSignature sr=\(encodedResource)&sig=\(encodedSignature)&se=\(expiry)"
        if let keyName { token += "&skn=\(keyName)" }
        return token
    }

    /// Whether the token was signed with `key` (constant-time comparison over the raw `sr`).
    public func isSigned(with key: SharedAccessKey) -> Bool {
        let expected = key.sign(Array("\(rawResource)\n\(expiry)".utf8))
        return constantTimeEquals(expected, signature)
    }

    /// Checks signature against any of `keys`, expiry against `now`, and that the token covers `requiredScope`.
    public func validate(keys: [SharedAccessKey], now: Date, requiredScope: String) throws(SecurityError) {
        try validateSignatureAndExpiry(keys: keys, now: now)
        guard Self.scope(resource, covers: requiredScope) else {
            throw SecurityError(.scopeMismatch, "the token is not valid for this resource")
        }
    }

    /// Checks the signature against any of `keys` and the expiry against `now`, leaving the scope to the caller (CBS
    /// audiences come in several spellings of one resource).
    public func validateSignatureAndExpiry(keys: [SharedAccessKey], now: Date) throws(SecurityError) {
        guard keys.contains(where: { isSigned(with: $0) }) else {
            throw SecurityError(.invalidSignature, "the token signature does not match")
        }
        // Compared as seconds in floating point: converting `now` to an integer could trap for an injected clock.
        guard Double(expiry) > now.timeIntervalSince1970 else {
            throw SecurityError(.expiredToken, "the token has expired")
        }
    }

    /// The expiry as a date.
    public var expiryDate: Date { Date(timeIntervalSince1970: TimeInterval(expiry)) }

    /// Token scope is a per-segment URI prefix, case-insensitive on the host part.
    public static func scope(_ granted: String, covers required: String) -> Bool {
        let grantedSegments = granted.split(separator: "/", omittingEmptySubsequences: false)
        let requiredSegments = required.split(separator: "/", omittingEmptySubsequences: false)
        guard !grantedSegments.isEmpty, grantedSegments.count <= requiredSegments.count else { return false }
        for (index, segment) in grantedSegments.enumerated() {
            let other = requiredSegments[index]
            let equal = index == 0 ? segment.lowercased() == other.lowercased() : segment == other
            if !equal { return false }
        }
        return true
    }
}

private func constantTimeEquals(_ lhs: [UInt8], _ rhs: [UInt8]) -> Bool {
    guard lhs.count == rhs.count else { return false }
    var difference: UInt8 = 0
    for index in lhs.indices { difference |= lhs[index] ^ rhs[index] }
    return difference == 0
}

extension CharacterSet {
    /// The characters Python's `quote(x, safe="")` leaves alone.
    static let sasUnreserved = CharacterSet(charactersIn:
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
}

extension StringProtocol {
    /// The text with every `%XX` replaced by its byte; nil for a malformed escape or bytes that are not UTF-8.
    /// (Foundation's `removingPercentEncoding` does the same far more slowly; every device request parses a token.)
    public var percentDecoded: String? {
        let utf8 = self.utf8
        guard utf8.contains(UInt8(ascii: "%")) else { return String(self) }
        var bytes = [UInt8]()
        bytes.reserveCapacity(utf8.count)
        var iterator = utf8.makeIterator()
        while let byte = iterator.next() {
            guard byte == UInt8(ascii: "%") else {
                bytes.append(byte)
                continue
            }
            guard let high = iterator.next().flatMap(Self.hexValue), let low = iterator.next().flatMap(Self.hexValue) else {
                return nil
            }
            bytes.append(high << 4 | low)
        }
        return String(validating: bytes, as: UTF8.self)
    }

    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: SubSequence {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return self[endIndex...]
        }
        return self[first...last]
    }

    private static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): byte - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): byte - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): byte - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}
