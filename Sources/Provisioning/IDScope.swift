/// A DPS ID scope (`0ne` followed by eight upper-case hex digits), fixed for the life of a data directory.
public struct IDScope: Sendable, Hashable, CustomStringConvertible, Codable {
    /// The scope text, e.g. `0ne0012AB34`.
    public let value: String

    /// Validates an existing scope.
    public init?(_ value: String) {
        guard value.count == 11, value.hasPrefix("0ne"),
              value.dropFirst(3).allSatisfy({ $0.isHexDigit && !$0.isLowercase })
        else { return nil }
        self.value = value
    }

    /// A fresh random scope.
    public static func generate(using generator: inout some RandomNumberGenerator) -> IDScope {
        let number = UInt32.random(in: 0...UInt32.max, using: &generator)
        let hex = String(number, radix: 16, uppercase: true)
        return IDScope(unchecked: "0ne" + String(repeating: "0", count: 8 - hex.count) + hex)
    }

    /// A fresh scope from the system's random source.
    public static func generate() -> IDScope {
        var generator = SystemRandomNumberGenerator()
        return generate(using: &generator)
    }

    private init(unchecked value: String) { self.value = value }

    /// The scope text.
    public var description: String { value }
}
