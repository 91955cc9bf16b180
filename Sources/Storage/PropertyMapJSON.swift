import Foundation

/// The JSON text of a flat string-to-string map (message properties), written and read by hand: every telemetry
/// message and routed event stores two of them, and Foundation's coders cost more than the SQLite insert.
///
/// The text is ordinary JSON (no escaped slashes), so rows written by `JSONEncoder` earlier and rows
/// written here read the same way; anything this reader does not expect falls back to `JSONDecoder`.
enum PropertyMapJSON {
    /// `{"a":"1","b":"2"}`, keys in no particular order.
    static func encode(_ map: [String: String]) -> String {
        String(decoding: bytes(map), as: UTF8.self)
    }

    /// The same text as UTF-8 bytes, for binding without a `String` in between.
    static func bytes(_ map: [String: String]) -> [UInt8] {
        if map.isEmpty { return emptyObject }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(map.count * 40 + 2)
        bytes.append(UInt8(ascii: "{"))
        var first = true
        // Dictionary order: JSON objects are unordered, and sorting cost more than writing.
        for (key, value) in map {
            if !first { bytes.append(UInt8(ascii: ",")) }
            first = false
            appendString(key, to: &bytes)
            bytes.append(UInt8(ascii: ":"))
            appendString(value, to: &bytes)
        }
        bytes.append(UInt8(ascii: "}"))
        return bytes
    }

    private static let emptyObject: [UInt8] = Array("{}".utf8)

    /// The map `text` holds; nil when it is not a JSON object of strings.
    static func decode(_ text: String) -> [String: String]? {
        if text == "{}" { return [:] }
        var text = text
        let fast: [String: String]?? = text.withUTF8 { bytes in
            var reader = Reader(bytes: bytes)
            return reader.object()
        }
        switch fast {
        case .some(let map?):
            return map
        case .some(nil):
            return nil
        case .none:
            return try? JSONDecoder().decode([String: String].self, from: Data(text.utf8))
        }
    }

    private static func appendString(_ text: String, to bytes: inout [UInt8]) {
        bytes.append(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { utf8 in
            if !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
                bytes.append(contentsOf: utf8)
                return
            }
            for byte in utf8 {
                switch byte {
                case UInt8(ascii: "\""): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
                case UInt8(ascii: "\\"): bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
                case 0x0A: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
                case 0x0D: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
                case 0x09: bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
                case 0x00..<0x20:
                    let hex = Array("0123456789abcdef".utf8)
                    bytes.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                              hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]])
                default: bytes.append(byte)
                }
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }

    /// Reads `{"k":"v",…}` as written above. Returns `.some(map)`, `.some(nil)` for text that is not an object of strings
    /// in a form this reader knows to be wrong, or `nil` (no answer) for escapes it leaves to `JSONDecoder`.
    private struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        var index = 0

        init(bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

        mutating func object() -> [String: String]?? {
            skipSpace()
            guard take(UInt8(ascii: "{")) else { return .some(nil) }
            var map: [String: String] = [:]
            skipSpace()
            if take(UInt8(ascii: "}")) { return finish(map) }
            while true {
                skipSpace()
                guard let key = string() else { return nil }
                skipSpace()
                guard take(UInt8(ascii: ":")) else { return .some(nil) }
                skipSpace()
                guard let value = string() else { return nil }
                map[key] = value
                skipSpace()
                if take(UInt8(ascii: ",")) { continue }
                guard take(UInt8(ascii: "}")) else { return nil }
                return finish(map)
            }
        }

        private mutating func finish(_ map: [String: String]) -> [String: String]?? {
            skipSpace()
            return index == bytes.count ? .some(map) : .some(nil)
        }

        /// A string without `\u` escapes; nil (leave it to Foundation) for anything else.
        private mutating func string() -> String? {
            guard take(UInt8(ascii: "\"")) else { return nil }
            var start = index
            var escaped: [UInt8]?
            while index < bytes.count {
                let byte = bytes[index]
                if byte == UInt8(ascii: "\"") {
                    let tail = UnsafeBufferPointer(rebasing: bytes[start..<index])
                    index += 1
                    guard var collected = escaped else { return String(validating: tail, as: UTF8.self) }
                    collected.append(contentsOf: tail)
                    return String(validating: collected, as: UTF8.self)
                }
                if byte == UInt8(ascii: "\\") {
                    guard index + 1 < bytes.count else { return nil }
                    let replacement: UInt8
                    switch bytes[index + 1] {
                    case UInt8(ascii: "\""): replacement = UInt8(ascii: "\"")
                    case UInt8(ascii: "\\"): replacement = UInt8(ascii: "\\")
                    case UInt8(ascii: "/"): replacement = UInt8(ascii: "/")
                    case UInt8(ascii: "n"): replacement = 0x0A
                    case UInt8(ascii: "r"): replacement = 0x0D
                    case UInt8(ascii: "t"): replacement = 0x09
                    default: return nil
                    }
                    var collected = escaped ?? []
                    collected.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<index]))
                    collected.append(replacement)
                    escaped = collected
                    index += 2
                    start = index
                    continue
                }
                if byte < 0x20 { return nil }
                index += 1
            }
            return nil
        }

        private mutating func take(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }

        private mutating func skipSpace() {
            while index < bytes.count, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[index]) { index += 1 }
        }
    }
}
