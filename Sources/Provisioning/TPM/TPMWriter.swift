/// Appends TPM structures in their canonical big-endian marshalled form.
struct TPMWriter {
    /// What has been written so far.
    private(set) var bytes: [UInt8] = []

    /// Appends a `UINT16`.
    mutating func append(_ value: UInt16) {
        bytes.append(UInt8(truncatingIfNeeded: value >> 8))
        bytes.append(UInt8(truncatingIfNeeded: value))
    }

    /// Appends a `UINT32`.
    mutating func append(_ value: UInt32) {
        for shift in stride(from: 24, through: 0, by: -8) { bytes.append(UInt8(truncatingIfNeeded: value >> UInt32(shift))) }
    }

    /// Appends an algorithm identifier.
    mutating func append(_ algorithm: TPMAlgorithm) {
        append(algorithm.rawValue)
    }

    /// Appends bytes as they are.
    mutating func append(raw: some Sequence<UInt8>) {
        bytes.append(contentsOf: raw)
    }

    /// Appends a `TPM2B_*`: a `UINT16` size, then the bytes. Callers keep buffers far below 64 KiB.
    mutating func append(sized buffer: [UInt8]) {
        precondition(buffer.count <= Int(UInt16.max), "a TPM2B buffer holds at most 65535 bytes")
        append(UInt16(buffer.count))
        bytes.append(contentsOf: buffer)
    }

    /// `buffer` as a `TPM2B_*`.
    static func sized(_ buffer: [UInt8]) -> [UInt8] {
        var writer = TPMWriter()
        writer.append(sized: buffer)
        return writer.bytes
    }
}
