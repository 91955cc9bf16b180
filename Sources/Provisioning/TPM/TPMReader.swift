/// Reads TPM structures from their big-endian marshalled form; every read is bounds-checked.
struct TPMReader {
    private var remaining: ArraySlice<UInt8>
    /// What the bytes are, for messages (`endorsementKey`).
    let subject: String

    /// Reads from `bytes`.
    init(_ bytes: [UInt8], subject: String) {
        self.remaining = bytes[...]
        self.subject = subject
    }

    /// Whether everything was consumed.
    var isAtEnd: Bool { remaining.isEmpty }

    /// Reads a `UINT16`.
    mutating func readUInt16() throws(TPMFormatError) -> UInt16 {
        let bytes = try read(count: 2)
        return UInt16(bytes[bytes.startIndex]) << 8 | UInt16(bytes[bytes.startIndex + 1])
    }

    /// Reads a `UINT32`.
    mutating func readUInt32() throws(TPMFormatError) -> UInt32 {
        try read(count: 4).reduce(0) { $0 << 8 | UInt32($1) }
    }

    /// Reads an algorithm identifier.
    mutating func readAlgorithm() throws(TPMFormatError) -> TPMAlgorithm {
        TPMAlgorithm(rawValue: try readUInt16())
    }

    /// Reads a `TPM2B_*` and returns its contents.
    mutating func readSized() throws(TPMFormatError) -> [UInt8] {
        let count = Int(try readUInt16())
        return Array(try read(count: count))
    }

    /// Reads exactly `count` bytes.
    mutating func read(count: Int) throws(TPMFormatError) -> ArraySlice<UInt8> {
        guard count >= 0, remaining.count >= count else { throw TPMFormatError("\(subject) is truncated") }
        let bytes = remaining.prefix(count)
        remaining = remaining.dropFirst(count)
        return bytes
    }

    /// Throws unless everything was consumed.
    func expectEnd() throws(TPMFormatError) {
        guard isAtEnd else { throw TPMFormatError("\(subject) has \(remaining.count) bytes after its end") }
    }
}
