/// Any JSON value, kept as sent (initial twins, device payloads, webhook bodies).
public enum JSONValue: Sendable, Hashable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Deepest nesting of arrays and objects accepted when decoding, counted from the value being decoded (IoT Hub
    /// allows 10 levels inside a twin's tags and properties). Counting from the value rather than from the document
    /// root means a value stored inside a wrapper (a twin's `reported` member) reads back under the same limit it was
    /// written under. Every recursive walk over a decoded value (equality, hashing, twin merging, query evaluation)
    /// is bounded by it.
    public static let maximumDepth = 64

    /// Decodes any JSON value; arrays and objects nested deeper than `maximumDepth` are a `DecodingError`.
    public init(from decoder: any Decoder) throws {
        try self.init(from: decoder, depth: 1)
    }

    /// Decodes a value whose arrays and objects would sit at nesting level `depth`.
    private init(from decoder: any Decoder, depth: Int) throws {
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
            return
        } else if let value = try? single.decode(Bool.self) {
            self = .bool(value)
            return
        } else if let value = try? single.decode(Double.self) {
            self = .number(value)
            return
        } else if let value = try? single.decode(String.self) {
            self = .string(value)
            return
        }
        guard depth <= Self.maximumDepth else {
            throw DecodingError.dataCorrupted(.init(codingPath: decoder.codingPath,
                                                    debugDescription: "JSON nested deeper than \(Self.maximumDepth) levels"))
        }
        // Members are decoded with `try`, not `try?`: an error deep inside (such as the depth limit) reaches the caller
        // as it is, and nothing is decoded twice. `superDecoder` hands each member's decoder to the depth-aware init.
        if var array = try? decoder.unkeyedContainer() {
            var elements: [JSONValue] = []
            while !array.isAtEnd { elements.append(try JSONValue(from: array.superDecoder(), depth: depth + 1)) }
            self = .array(elements)
        } else {
            let object = try decoder.container(keyedBy: MemberKey.self)
            var members: [String: JSONValue] = [:]
            for key in object.allKeys {
                members[key.stringValue] = try JSONValue(from: object.superDecoder(forKey: key), depth: depth + 1)
            }
            self = .object(members)
        }
    }

    /// Encodes the value; whole numbers are written without a fraction.
    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value):
            if value.rounded() == value, abs(value) < 9.0e15 {
                try container.encode(Int64(value))
            } else {
                try container.encode(value)
            }
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// The member `key` of an object, if any.
    public subscript(key: String) -> JSONValue? {
        if case .object(let members) = self { return members[key] }
        return nil
    }

    /// The object's members, if this is an object.
    public var objectValue: [String: JSONValue]? {
        if case .object(let members) = self { return members }
        return nil
    }
}

/// Any member name of a JSON object.
private struct MemberKey: CodingKey {
    let stringValue: String
    init(stringValue: String) { self.stringValue = stringValue }
    var intValue: Int? { nil }
    init?(intValue: Int) { return nil }
}
