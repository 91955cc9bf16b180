/// `TPMA_OBJECT` (TPM 2.0 Part 2, table 31): how an object may be used and moved.
public struct TPMObjectAttributes: OptionSet, Hashable, Sendable {
    /// The 32-bit attribute word.
    public var rawValue: UInt32

    /// Wraps an attribute word.
    public init(rawValue: UInt32) {
        self.rawValue = rawValue
    }

    /// The object cannot be duplicated.
    public static let fixedTPM = TPMObjectAttributes(rawValue: 1 << 1)
    /// Saved contexts do not survive a TPM reset.
    public static let stClear = TPMObjectAttributes(rawValue: 1 << 2)
    /// The parent cannot change.
    public static let fixedParent = TPMObjectAttributes(rawValue: 1 << 4)
    /// The TPM generated the sensitive part.
    public static let sensitiveDataOrigin = TPMObjectAttributes(rawValue: 1 << 5)
    /// User role may use the object with its authValue.
    public static let userWithAuth = TPMObjectAttributes(rawValue: 1 << 6)
    /// Admin role needs a policy session.
    public static let adminWithPolicy = TPMObjectAttributes(rawValue: 1 << 7)
    /// Not subject to dictionary-attack protection.
    public static let noDA = TPMObjectAttributes(rawValue: 1 << 10)
    /// Duplication needs an inner wrapper.
    public static let encryptedDuplication = TPMObjectAttributes(rawValue: 1 << 11)
    /// Only operates on TPM-generated or TPM-protected data.
    public static let restricted = TPMObjectAttributes(rawValue: 1 << 16)
    /// A decryption (storage) key.
    public static let decrypt = TPMObjectAttributes(rawValue: 1 << 17)
    /// A signing key.
    public static let sign = TPMObjectAttributes(rawValue: 1 << 18)
}
