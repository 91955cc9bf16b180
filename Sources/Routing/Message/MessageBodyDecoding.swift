import Foundation
import Provisioning

/// How message bodies are read: as JSON for `$body` conditions and for event documents, or as text.
public enum MessageBodyDecoding {
    /// The body as JSON for routing: only when `content-type` is `application/json` and `content-encoding` names
    /// UTF-8, UTF-16 or UTF-32 (IoT Hub's rule); nil otherwise or when it does not parse.
    public static func routableJSON(_ body: [UInt8], contentType: String?, contentEncoding: String?) -> JSONValue? {
        guard isJSON(contentType), let encoding = contentEncoding, !encoding.isEmpty, let text = text(body, encoding: encoding) else {
            return nil
        }
        return parseJSON(text)
    }

    /// What an event document shows: the JSON value (JSON content type, UTF encoding or none), else UTF-8 text, else base64.
    public static func document(_ body: [UInt8], contentType: String?, contentEncoding: String?) -> (body: JSONValue, encoding: String) {
        if isJSON(contentType), let text = text(body, encoding: contentEncoding), let value = parseJSON(text) {
            return (value, "json")
        }
        if let text = String(validating: body, as: UTF8.self) {
            return (.string(text), "text")
        }
        return (.string(Data(body).base64EncodedString()), "base64")
    }

    /// `application/json` (parameters ignored, case-insensitive), also `…+json` types.
    static func isJSON(_ contentType: String?) -> Bool {
        guard let contentType else { return false }
        let type = contentType.split(separator: ";", maxSplits: 1).first.map { $0.trimmingCharacters(in: .whitespaces).lowercased() } ?? ""
        return type == "application/json" || (type.hasPrefix("application/") && type.hasSuffix("+json"))
    }

    /// Decodes `body` in a UTF encoding named like .NET does (`utf-8`, `utf-16` = little-endian unless a BOM says
    /// otherwise, `utf-16be`, `utf-32`, `utf-32be`); nil for other encodings or invalid bytes. No encoding means UTF-8.
    public static func text(_ body: [UInt8], encoding: String?) -> String? {
        let name = (encoding ?? "utf-8").lowercased().replacingOccurrences(of: "_", with: "-")
        switch name {
        case "", "utf-8", "utf8":
            let bytes = body.starts(with: [0xEF, 0xBB, 0xBF]) ? Array(body.dropFirst(3)) : body
            return String(validating: bytes, as: UTF8.self)
        case "utf-16", "utf16", "utf-16le", "unicode":
            return utf16(body, bigEndian: false)
        case "utf-16be":
            return utf16(body, bigEndian: true)
        case "utf-32", "utf32", "utf-32le":
            return utf32(body, bigEndian: false)
        case "utf-32be":
            return utf32(body, bigEndian: true)
        default:
            return nil
        }
    }

    private static func utf16(_ body: [UInt8], bigEndian defaultBigEndian: Bool) -> String? {
        var bytes = body[...]
        var bigEndian = defaultBigEndian
        if bytes.starts(with: [0xFF, 0xFE]) { bigEndian = false; bytes = bytes.dropFirst(2) }
        else if bytes.starts(with: [0xFE, 0xFF]) { bigEndian = true; bytes = bytes.dropFirst(2) }
        guard bytes.count % 2 == 0 else { return nil }
        var units: [UInt16] = []
        units.reserveCapacity(bytes.count / 2)
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let first = UInt16(bytes[index]), second = UInt16(bytes[index + 1])
            units.append(bigEndian ? first << 8 | second : second << 8 | first)
            index += 2
        }
        return String(validating: units, as: UTF16.self)
    }

    private static func utf32(_ body: [UInt8], bigEndian defaultBigEndian: Bool) -> String? {
        var bytes = body[...]
        var bigEndian = defaultBigEndian
        if bytes.starts(with: [0xFF, 0xFE, 0x00, 0x00]) { bigEndian = false; bytes = bytes.dropFirst(4) }
        else if bytes.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { bigEndian = true; bytes = bytes.dropFirst(4) }
        guard bytes.count % 4 == 0 else { return nil }
        var scalars = String.UnicodeScalarView()
        var index = bytes.startIndex
        while index < bytes.endIndex {
            let quad = (0..<4).map { UInt32(bytes[index + $0]) }
            let value = bigEndian ? quad[0] << 24 | quad[1] << 16 | quad[2] << 8 | quad[3]
                                  : quad[3] << 24 | quad[2] << 16 | quad[1] << 8 | quad[0]
            guard let scalar = Unicode.Scalar(value) else { return nil }
            scalars.append(scalar)
            index += 4
        }
        return String(scalars)
    }

    /// Parses JSON text into a value; nil when it is not JSON.
    static func parseJSON(_ text: String) -> JSONValue? {
        JSONBodyParser.parse(text)
    }
}
