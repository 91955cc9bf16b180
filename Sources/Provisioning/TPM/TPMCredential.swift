/// The service side of `TPM2_MakeCredential` (TPM 2.0 Part 1, §24.4): a credential only the TPM holding `protector`'s
/// private key can recover, and only for the object with `objectName` loaded beside it.
struct TPMCredential {
    /// `TPM2B_ID_OBJECT`: the integrity HMAC and the encrypted credential.
    var idObject: [UInt8]
    /// `TPM2B_ENCRYPTED_SECRET`: the seed, encrypted to the protector with the `IDENTITY` label.
    var encryptedSecret: [UInt8]

    /// Protects `credential` (at most one digest long) for `protector`, bound to `objectName`. `seed` is one digest of
    /// random bytes, `oaepSeed` the OAEP encoding's randomness.
    init(protecting credential: [UInt8], for protector: TPMPublicArea, objectName: [UInt8], seed: [UInt8], oaepSeed: [UInt8]) throws {
        guard let rsa = protector.rsaParameters, protector.nameAlgorithm == .sha256, rsa.symmetricAlgorithm == .aes, rsa.symmetricMode == .cfb,
              [128, 192, 256].contains(rsa.symmetricKeyBits) else {
            throw TPMFormatError("a credential protector must be an RSA storage key with SHA-256 names and AES-CFB")
        }
        let symmetricKey = TPMKeyDerivation.kdfa(key: seed, label: "STORAGE", contextU: objectName, contextV: [],
                                                 bits: Int(rsa.symmetricKeyBits))
        let encryptedIdentity = try TPMSymmetricCipher.encrypt(TPMWriter.sized(credential), key: symmetricKey)
        let hmacKey = TPMKeyDerivation.kdfa(key: seed, label: "INTEGRITY", contextU: [], contextV: [], bits: 256)
        let integrity = TPMIntegrity.hmac(key: hmacKey, encryptedIdentity + objectName)
        idObject = TPMWriter.sized(TPMWriter.sized(integrity) + encryptedIdentity)
        encryptedSecret = try TPMSecretSharing.encryptedSecret(seed, to: protector, label: TPMSecretSharing.identity, oaepSeed: oaepSeed)
    }
}
