/// An AMQP map: key/value pairs in the order they were encoded (keys are unique, order is kept for round trips).
public struct AMQPMap: Sendable, Hashable, ExpressibleByDictionaryLiteral {
    /// One pair.
    public struct Entry: Sendable, Hashable {
        /// The key.
        public var key: AMQPValue
        /// The value.
        public var value: AMQPValue

        /// Creates a pair.
        public init(key: AMQPValue, value: AMQPValue) {
            self.key = key
            self.value = value
        }
    }

    /// The pairs, in order.
    public var entries: [Entry]

    /// Creates a map from pairs.
    public init(_ entries: [Entry] = []) {
        self.entries = entries
    }

    /// Creates a map from a literal.
    public init(dictionaryLiteral elements: (AMQPValue, AMQPValue)...) {
        entries = elements.map { Entry(key: $0.0, value: $0.1) }
    }

    /// The number of pairs.
    public var count: Int { entries.count }

    /// The value under `key`, nil when absent.
    public subscript(key: AMQPValue) -> AMQPValue? {
        get { entries.first { $0.key == key }?.value }
        set {
            if let index = entries.firstIndex(where: { $0.key == key }) {
                if let newValue { entries[index].value = newValue } else { entries.remove(at: index) }
            } else if let newValue {
                entries.append(Entry(key: key, value: newValue))
            }
        }
    }

    /// The value under the symbol key `key`.
    public subscript(symbol key: String) -> AMQPValue? {
        get { self[.symbol(AMQPSymbol(key))] }
        set { self[.symbol(AMQPSymbol(key))] = newValue }
    }

    /// The value under the string key `key`.
    public subscript(string key: String) -> AMQPValue? {
        get { self[.string(key)] }
        set { self[.string(key)] = newValue }
    }
}
