/// A `TPM_ALG_ID` (TPM 2.0 Part 2, table 9): the algorithms this service reads and writes.
public struct TPMAlgorithm: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The 16-bit identifier.
    public var rawValue: UInt16

    /// Wraps an identifier.
    public init(rawValue: UInt16) {
        self.rawValue = rawValue
    }

    /// `TPM_ALG_RSA`.
    public static let rsa = TPMAlgorithm(rawValue: 0x0001)
    /// `TPM_ALG_SHA1`.
    public static let sha1 = TPMAlgorithm(rawValue: 0x0004)
    /// `TPM_ALG_HMAC`.
    public static let hmac = TPMAlgorithm(rawValue: 0x0005)
    /// `TPM_ALG_AES`.
    public static let aes = TPMAlgorithm(rawValue: 0x0006)
    /// `TPM_ALG_KEYEDHASH`.
    public static let keyedHash = TPMAlgorithm(rawValue: 0x0008)
    /// `TPM_ALG_XOR`.
    public static let xor = TPMAlgorithm(rawValue: 0x000A)
    /// `TPM_ALG_SHA256`.
    public static let sha256 = TPMAlgorithm(rawValue: 0x000B)
    /// `TPM_ALG_SHA384`.
    public static let sha384 = TPMAlgorithm(rawValue: 0x000C)
    /// `TPM_ALG_SHA512`.
    public static let sha512 = TPMAlgorithm(rawValue: 0x000D)
    /// `TPM_ALG_NULL`.
    public static let null = TPMAlgorithm(rawValue: 0x0010)
    /// `TPM_ALG_RSAES`.
    public static let rsaes = TPMAlgorithm(rawValue: 0x0015)
    /// `TPM_ALG_ECC`.
    public static let ecc = TPMAlgorithm(rawValue: 0x0023)
    /// `TPM_ALG_SYMCIPHER`.
    public static let symCipher = TPMAlgorithm(rawValue: 0x0025)
    /// `TPM_ALG_CFB`.
    public static let cfb = TPMAlgorithm(rawValue: 0x0043)

    /// The digest size of a hash algorithm, nil for anything else.
    public var digestSize: Int? {
        switch self {
        case .sha1: 20
        case .sha256: 32
        case .sha384: 48
        case .sha512: 64
        default: nil
        }
    }

    /// `0x000b`-style hex, for messages.
    public var description: String {
        let hex = String(rawValue, radix: 16)
        return "0x" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
