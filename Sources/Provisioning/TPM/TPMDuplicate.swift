import Crypto

/// The service side of `TPM2_Duplicate` for an HMAC key it generated (TPM 2.0 Part 1, §23.3): the key's sensitive area
/// under an inner wrapper (AES-CFB with a key the device gets through a credential) and an outer wrapper (seeded
/// through the new parent's RSA key with the `DUPLICATE` label), ready for `TPM2_Import` under that parent.
struct TPMDuplicate {
    /// The imported object's public area: a keyed-hash HMAC-SHA-256 signing key usable with its empty authValue.
    var publicArea: TPMPublicArea
    /// `TPM2B_PRIVATE`: outer HMAC and the doubly encrypted sensitive area.
    var duplicate: [UInt8]
    /// `TPM2B_ENCRYPTED_SECRET`: the outer wrapper's seed for the parent.
    var encryptedSeed: [UInt8]

    /// The public area TPM2_Import will accept for `key` with `seedValue` (its `unique` binds both).
    static func hmacKeyPublicArea(key: [UInt8], seedValue: [UInt8]) -> TPMPublicArea {
        TPMPublicArea(nameAlgorithm: .sha256, attributes: [.userWithAuth, .sign], authPolicy: [],
                      parameters: .keyedHash(scheme: .hmac, hash: .sha256),
                      unique: Array(SHA256.hash(data: seedValue + key)))
    }

    /// Wraps the HMAC `key` for `parent`. `seedValue` (32 bytes) obfuscates the key's binding; `innerKey` is the
    /// 16-byte AES key of the inner wrapper; `seed` (32 bytes) and `oaepSeed` are the outer wrapper's randomness.
    init(hmacKey key: [UInt8], seedValue: [UInt8], innerKey: [UInt8], parent: TPMPublicArea, seed: [UInt8], oaepSeed: [UInt8]) throws {
        guard let rsa = parent.rsaParameters, parent.nameAlgorithm == .sha256, rsa.symmetricAlgorithm == .aes, rsa.symmetricMode == .cfb,
              [128, 192, 256].contains(rsa.symmetricKeyBits), parent.attributes.isSuperset(of: [.restricted, .decrypt])
        else { throw TPMFormatError("a new parent must be a restricted RSA decryption key with SHA-256 names and AES-CFB") }
        publicArea = Self.hmacKeyPublicArea(key: key, seedValue: seedValue)
        let name = publicArea.name

        // TPMT_SENSITIVE: type, empty authValue, seedValue, the key; marshalled as TPM2B_SENSITIVE.
        var sensitive = TPMWriter()
        sensitive.append(TPMAlgorithm.keyedHash)
        sensitive.append(sized: [])
        sensitive.append(sized: seedValue)
        sensitive.append(sized: key)
        let sizedSensitive = TPMWriter.sized(sensitive.bytes)

        // Inner wrapper: integrity over the sensitive area and the Name, then AES-CFB with the inner key.
        let innerIntegrity = Array(SHA256.hash(data: sizedSensitive + name))
        let encryptedInner = try TPMSymmetricCipher.encrypt(TPMWriter.sized(innerIntegrity) + sizedSensitive, key: innerKey)

        // Outer wrapper: keys derived from the seed shared with the parent.
        let symmetricKey = TPMKeyDerivation.kdfa(key: seed, label: "STORAGE", contextU: name, contextV: [], bits: Int(rsa.symmetricKeyBits))
        let duplicateSensitive = try TPMSymmetricCipher.encrypt(encryptedInner, key: symmetricKey)
        let hmacKey = TPMKeyDerivation.kdfa(key: seed, label: "INTEGRITY", contextU: [], contextV: [], bits: 256)
        let outerIntegrity = TPMIntegrity.hmac(key: hmacKey, duplicateSensitive + name)
        duplicate = TPMWriter.sized(TPMWriter.sized(outerIntegrity) + duplicateSensitive)
        encryptedSeed = try TPMSecretSharing.encryptedSecret(seed, to: parent, label: TPMSecretSharing.duplicate, oaepSeed: oaepSeed)
    }
}
