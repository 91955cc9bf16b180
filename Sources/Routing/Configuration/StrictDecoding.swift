/// A coding key for any name, used to list what a mapping actually contains.
struct AnyRoutingKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension Decoder {
    /// Fails when the object has a key outside `known`: a typo in routing configuration is an error, not a silent default.
    func rejectUnknownRoutingKeys<Key: CodingKey & CaseIterable>(_: Key.Type) throws {
        let container = try container(keyedBy: AnyRoutingKey.self)
        let known = Set(Key.allCases.map(\.stringValue))
        if let unknown = container.allKeys.first(where: { !known.contains($0.stringValue) }) {
            throw DecodingError.dataCorrupted(.init(
                codingPath: codingPath + [unknown],
                debugDescription: "unknown key '\(unknown.stringValue)'; expected one of: \(known.sorted().joined(separator: ", "))"))
        }
    }
}
