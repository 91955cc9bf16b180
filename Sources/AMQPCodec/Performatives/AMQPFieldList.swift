/// The fields of a composite (a described list), read by position with typed accessors: absent trailing fields
/// and nulls read as nil, a field of the wrong type is an error naming the composite and the field.
struct AMQPFieldList {
    let composite: String
    let fields: [AMQPValue]

    init(_ composite: String, _ value: AMQPValue) throws(AMQPCodecError) {
        self.composite = composite
        switch value {
        case .list(let fields): self.fields = fields
        default: throw .unexpected("\(composite) is not a list")
        }
    }

    subscript(index: Int) -> AMQPValue {
        index < fields.count ? fields[index] : .null
    }

    private func wrong(_ index: Int, _ name: String) -> AMQPCodecError {
        .unexpected("\(composite).\(name) (field \(index)) has the wrong type")
    }

    func required<T>(_ index: Int, _ name: String, _ read: (AMQPValue) -> T?) throws(AMQPCodecError) -> T {
        guard !self[index].isNull else { throw .unexpected("\(composite).\(name) (field \(index)) is mandatory") }
        guard let value = read(self[index]) else { throw wrong(index, name) }
        return value
    }

    func optional<T>(_ index: Int, _ name: String, _ read: (AMQPValue) -> T?) throws(AMQPCodecError) -> T? {
        guard !self[index].isNull else { return nil }
        guard let value = read(self[index]) else { throw wrong(index, name) }
        return value
    }

    func uint(_ index: Int, _ name: String) throws(AMQPCodecError) -> UInt32? { try optional(index, name) { $0.uint32 } }
    func ushort(_ index: Int, _ name: String) throws(AMQPCodecError) -> UInt16? {
        try optional(index, name) { $0.unsignedInteger.flatMap { UInt16(exactly: $0) } }
    }
    func ubyte(_ index: Int, _ name: String) throws(AMQPCodecError) -> UInt8? {
        try optional(index, name) { $0.unsignedInteger.flatMap { UInt8(exactly: $0) } }
    }
    func ulong(_ index: Int, _ name: String) throws(AMQPCodecError) -> UInt64? { try optional(index, name) { $0.unsignedInteger } }
    func bool(_ index: Int, _ name: String) throws(AMQPCodecError) -> Bool? { try optional(index, name) { $0.bool } }
    func string(_ index: Int, _ name: String) throws(AMQPCodecError) -> String? { try optional(index, name) { $0.text } }
    func symbol(_ index: Int, _ name: String) throws(AMQPCodecError) -> AMQPSymbol? {
        try optional(index, name) { $0.text.map { AMQPSymbol($0) } }
    }
    func binary(_ index: Int, _ name: String) throws(AMQPCodecError) -> [UInt8]? { try optional(index, name) { $0.binary } }
    func map(_ index: Int, _ name: String) throws(AMQPCodecError) -> AMQPMap? { try optional(index, name) { $0.map } }
    func symbols(_ index: Int, _ name: String) throws(AMQPCodecError) -> [AMQPSymbol] {
        try self[index].multiple.map { value throws(AMQPCodecError) -> AMQPSymbol in
            guard let text = value.text else { throw wrong(index, name) }
            return AMQPSymbol(text)
        }
    }
}

extension Optional where Wrapped == UInt32 {
    var amqp: AMQPValue { map(AMQPValue.uint) ?? .null }
}

extension Optional where Wrapped == UInt16 {
    var amqp: AMQPValue { map(AMQPValue.ushort) ?? .null }
}

extension Optional where Wrapped == UInt8 {
    var amqp: AMQPValue { map(AMQPValue.ubyte) ?? .null }
}

extension Optional where Wrapped == UInt64 {
    var amqp: AMQPValue { map(AMQPValue.ulong) ?? .null }
}

extension Optional where Wrapped == Bool {
    var amqp: AMQPValue { map(AMQPValue.bool) ?? .null }
}

extension Optional where Wrapped == String {
    var amqp: AMQPValue { map(AMQPValue.string) ?? .null }
}

extension Optional where Wrapped == AMQPSymbol {
    var amqp: AMQPValue { map(AMQPValue.symbol) ?? .null }
}

extension Optional where Wrapped == [UInt8] {
    var amqp: AMQPValue { map(AMQPValue.binary) ?? .null }
}

extension Optional where Wrapped == AMQPMap {
    var amqp: AMQPValue { map(AMQPValue.map) ?? .null }
}

extension Array where Element == AMQPSymbol {
    /// A `symbol*` field: null when empty, else an array of symbols.
    var amqp: AMQPValue { isEmpty ? .null : .array(.symbols(self)) }
}
