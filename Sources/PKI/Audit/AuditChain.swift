import Crypto
import Foundation

/// The hash chain's arithmetic: how an entry is hashed and authenticated, and how the next entry is built.
///
/// `entryHash` = SHA-256 over a version tag and every field, each as a 4-byte big-endian length and its UTF-8
/// bytes, so no two different entries share an encoding. The hash chain alone lets anyone holding an export check
/// order and completeness; the MACs (HMAC-SHA256 under the installation's audit key, with distinct tags for
/// entries and the anchor) stop someone who can write the database but not read the key from recomputing it.
public struct AuditChain: Sendable {
    /// The `previousHash` of the first entry.
    public static let genesisHash = String(repeating: "0", count: 64)
    /// Length of a generated audit key in bytes.
    public static let keyLength = 32

    private let key: SymmetricKey

    /// A chain authenticated with `key` (the installation's audit key).
    public init(key: [UInt8]) throws {
        guard key.count >= 16 else {
            throw PKIError(code: .invalidStoredMaterial, message: "the audit key is shorter than 16 bytes")
        }
        self.key = SymmetricKey(data: key)
    }

    /// A fresh random audit key.
    public static func generateKey() -> [UInt8] {
        SymmetricKey(size: .bits256).withUnsafeBytes { Array($0) }
    }

    /// The entry that follows `head` (nil: the first entry) for `event`, hashed and authenticated.
    public func entry(after head: AuditHead?, event: AuditEvent, timestampMilliseconds: Int64) -> AuditEntry {
        var entry = AuditEntry(
            sequence: (head?.sequence ?? 0) &+ 1, timestampMilliseconds: timestampMilliseconds, actor: event.actor,
            action: event.action.rawValue, target: event.target, details: Self.encodeDetails(event.details),
            previousHash: head?.entryHash ?? Self.genesisHash, entryHash: "", mac: "")
        entry.entryHash = Self.entryHash(of: entry)
        entry.mac = entryMAC(entryHash: entry.entryHash)
        return entry
    }

    /// The anchor naming `entry` as the head.
    public func anchor(for entry: AuditEntry) -> AuditAnchor {
        AuditAnchor(sequence: entry.sequence, entryHash: entry.entryHash,
                    mac: anchorMAC(sequence: entry.sequence, entryHash: entry.entryHash))
    }

    /// Whether the anchor was written by a holder of the key.
    public func isAuthentic(_ anchor: AuditAnchor) -> Bool {
        Self.constantTimeEqual(anchor.mac, anchorMAC(sequence: anchor.sequence, entryHash: anchor.entryHash))
    }

    /// Whether the entry's MAC matches its stored hash.
    public func isAuthentic(_ entry: AuditEntry) -> Bool {
        Self.constantTimeEqual(entry.mac, entryMAC(entryHash: entry.entryHash))
    }

    /// SHA-256 (hex) over the entry's fields except its own hash and MAC.
    public static func entryHash(of entry: AuditEntry) -> String {
        var encoding = LengthPrefixedEncoding()
        encoding.append("provisio-audit-entry-v1")
        encoding.append(String(entry.sequence))
        encoding.append(String(entry.timestampMilliseconds))
        encoding.append(entry.actor)
        encoding.append(entry.action)
        encoding.append(entry.target)
        encoding.append(entry.details)
        encoding.append(entry.previousHash)
        return hex(SHA256.hash(data: encoding.bytes))
    }

    /// SHA-256 (hex) of arbitrary bytes, for details that stand for content which must not be logged.
    public static func digest(_ bytes: some DataProtocol) -> String {
        hex(SHA256.hash(data: bytes))
    }

    /// The details as a JSON object with keys sorted by their UTF-8 bytes, no whitespace, and only `"`, `\\` and
    /// control characters escaped — one canonical text per set of details.
    public static func encodeDetails(_ details: [String: String]) -> String {
        let members = details.sorted { Array($0.key.utf8).lexicographicallyPrecedes(Array($1.key.utf8)) }
            .map { "\(jsonString($0.key)):\(jsonString($0.value))" }
        return "{" + members.joined(separator: ",") + "}"
    }

    private static func jsonString(_ text: String) -> String {
        var result = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": result += "\\\""
            case "\\": result += "\\\\"
            case "\n": result += "\\n"
            case "\r": result += "\\r"
            case "\t": result += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                result += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result + "\""
    }

    func entryMAC(entryHash: String) -> String {
        var encoding = LengthPrefixedEncoding()
        encoding.append("provisio-audit-entry-mac-v1")
        encoding.append(entryHash)
        return Self.hex(HMAC<SHA256>.authenticationCode(for: encoding.bytes, using: key))
    }

    func anchorMAC(sequence: Int64, entryHash: String) -> String {
        var encoding = LengthPrefixedEncoding()
        encoding.append("provisio-audit-anchor-mac-v1")
        encoding.append(String(sequence))
        encoding.append(entryHash)
        return Self.hex(HMAC<SHA256>.authenticationCode(for: encoding.bytes, using: key))
    }

    private static func hex(_ bytes: some Sequence<UInt8>) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    private static func constantTimeEqual(_ left: String, _ right: String) -> Bool {
        let a = Array(left.utf8), b = Array(right.utf8)
        guard a.count == b.count else { return false }
        var difference: UInt8 = 0
        for index in a.indices { difference |= a[index] ^ b[index] }
        return difference == 0
    }
}

/// Fields as 4-byte big-endian lengths followed by their UTF-8 bytes.
private struct LengthPrefixedEncoding {
    var bytes: [UInt8] = []

    mutating func append(_ field: String) {
        let utf8 = Array(field.utf8)
        let length = UInt32(truncatingIfNeeded: utf8.count)
        bytes += [UInt8(length >> 24), UInt8((length >> 16) & 0xff), UInt8((length >> 8) & 0xff), UInt8(length & 0xff)]
        bytes += utf8
    }
}
