/// The keys a TPM device presents, checked against what the credential and duplication math needs: the endorsement
/// key must follow the TCG EK Credential Profile's RSA-2048 template (L-1/H-1), the storage root key must be a
/// restricted RSA-2048 decryption key with AES-128-CFB, both with SHA-256 names.
public enum TPMKeyProfile {
    /// PolicyA for SHA-256 (`PolicySecret(TPM_RH_ENDORSEMENT)`), the EK template's `authPolicy`.
    public static let endorsementPolicy: [UInt8] = [
        0x83, 0x71, 0x97, 0x67, 0x44, 0x84, 0xB3, 0xF8, 0x1A, 0x90, 0xCC, 0x8D, 0x46, 0xA5, 0xD7, 0x24,
        0xFD, 0x52, 0xD7, 0x6E, 0x06, 0x52, 0x0B, 0x64, 0xF2, 0xA1, 0xDA, 0x1B, 0x33, 0x14, 0x69, 0xAA,
    ]

    /// The EK template's attributes: fixedTPM, fixedParent, sensitiveDataOrigin, adminWithPolicy, restricted, decrypt.
    public static let endorsementAttributes: TPMObjectAttributes = [
        .fixedTPM, .fixedParent, .sensitiveDataOrigin, .adminWithPolicy, .restricted, .decrypt,
    ]

    /// Parses Base64 `TPM2B_PUBLIC` text and checks it is a TCG RSA-2048 endorsement key; `field` names it in errors.
    public static func endorsementKey(base64 text: String, field: String = "endorsementKey") throws(TPMFormatError) -> TPMPublicArea {
        let area = try publicArea(base64: text, field: field)
        if let problem = endorsementKeyProblem(area) { throw TPMFormatError("\(field) \(problem)") }
        return area
    }

    /// Parses Base64 `TPM2B_PUBLIC` text and checks it can parent an imported key; `field` names it in errors.
    public static func storageRootKey(base64 text: String, field: String = "storageRootKey") throws(TPMFormatError) -> TPMPublicArea {
        let area = try publicArea(base64: text, field: field)
        if let problem = storageRootKeyProblem(area) { throw TPMFormatError("\(field) \(problem)") }
        return area
    }

    /// Why `area` is not an RSA-2048 endorsement key with the TCG template, or nil.
    public static func endorsementKeyProblem(_ area: TPMPublicArea) -> String? {
        if let problem = rsa2048Problem(area) { return problem }
        guard area.attributes == endorsementAttributes else {
            return "does not have the TCG EK template's attributes (fixedTPM|fixedParent|sensitiveDataOrigin|adminWithPolicy|restricted|decrypt, 0x000300b2); it has 0x\(String(area.attributes.rawValue, radix: 16))"
        }
        guard area.authPolicy == endorsementPolicy else {
            return "does not have the TCG EK template's authPolicy (PolicySecret(TPM_RH_ENDORSEMENT), 8371…69aa)"
        }
        return nil
    }

    /// Why `area` cannot parent an imported key, or nil.
    public static func storageRootKeyProblem(_ area: TPMPublicArea) -> String? {
        if let problem = rsa2048Problem(area) { return problem }
        guard area.attributes.isSuperset(of: [.restricted, .decrypt]), !area.attributes.contains(.sign) else {
            return "is not a storage key (restricted|decrypt, not sign)"
        }
        return nil
    }

    /// What RSA-2048 storage-type keys with SHA-256 names and AES-128-CFB share.
    private static func rsa2048Problem(_ area: TPMPublicArea) -> String? {
        guard let rsa = area.rsaParameters else { return "is not an RSA key" }
        guard area.nameAlgorithm == .sha256 else { return "must use SHA-256 (0x000b) as its name algorithm, not \(area.nameAlgorithm)" }
        guard rsa.keyBits == 2048, area.unique.count == 256, area.unique.first.map({ $0 & 0x80 != 0 }) == true else {
            return "must be an RSA-2048 key with a 256-byte modulus"
        }
        guard rsa.effectiveExponent == 65537 else { return "must use the public exponent 65537" }
        guard rsa.symmetricAlgorithm == .aes, rsa.symmetricKeyBits == 128, rsa.symmetricMode == .cfb else {
            return "must have the symmetric algorithm AES-128-CFB"
        }
        guard rsa.scheme == .null else { return "must have the NULL scheme (0x0010), not \(rsa.scheme)" }
        return nil
    }

    private static func publicArea(base64 text: String, field: String) throws(TPMFormatError) -> TPMPublicArea {
        guard let bytes = TPMRegistrationID.decodeBase64(text) else { throw TPMFormatError("\(field) must be Base64 text") }
        return try TPMPublicArea(sizedBytes: bytes, subject: field)
    }
}
