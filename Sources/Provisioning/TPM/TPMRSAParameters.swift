/// `TPMS_RSA_PARMS`.
public struct TPMRSAParameters: Sendable, Equatable {
    /// `symmetric.algorithm`: AES for storage keys, NULL for others.
    public var symmetricAlgorithm: TPMAlgorithm
    /// `symmetric.keyBits`, 0 when NULL.
    public var symmetricKeyBits: UInt16
    /// `symmetric.mode`, NULL when NULL.
    public var symmetricMode: TPMAlgorithm
    /// `scheme.scheme`.
    public var scheme: TPMAlgorithm
    /// `scheme.details.hashAlg`, NULL when the scheme has none.
    public var schemeHash: TPMAlgorithm
    /// Modulus size in bits.
    public var keyBits: UInt16
    /// The public exponent; 0 means the default 65537.
    public var exponent: UInt32

    /// Creates parameters.
    public init(symmetricAlgorithm: TPMAlgorithm, symmetricKeyBits: UInt16, symmetricMode: TPMAlgorithm, scheme: TPMAlgorithm,
                schemeHash: TPMAlgorithm = .null, keyBits: UInt16, exponent: UInt32) {
        self.symmetricAlgorithm = symmetricAlgorithm
        self.symmetricKeyBits = symmetricKeyBits
        self.symmetricMode = symmetricMode
        self.scheme = scheme
        self.schemeHash = schemeHash
        self.keyBits = keyBits
        self.exponent = exponent
    }

    /// The exponent the key actually uses.
    public var effectiveExponent: UInt32 { exponent == 0 ? 65537 : exponent }

    init(reading reader: inout TPMReader) throws(TPMFormatError) {
        symmetricAlgorithm = try reader.readAlgorithm()
        if symmetricAlgorithm == .null {
            symmetricKeyBits = 0
            symmetricMode = .null
        } else {
            symmetricKeyBits = try reader.readUInt16()
            symmetricMode = try reader.readAlgorithm()
        }
        scheme = try reader.readAlgorithm()
        // Every RSA scheme but NULL and RSAES carries a hash algorithm.
        schemeHash = scheme == .null || scheme == .rsaes ? .null : try reader.readAlgorithm()
        keyBits = try reader.readUInt16()
        exponent = try reader.readUInt32()
    }

    func write(to writer: inout TPMWriter) {
        writer.append(symmetricAlgorithm)
        if symmetricAlgorithm != .null {
            writer.append(symmetricKeyBits)
            writer.append(symmetricMode)
        }
        writer.append(scheme)
        if scheme != .null && scheme != .rsaes { writer.append(schemeHash) }
        writer.append(keyBits)
        writer.append(exponent)
    }
}
