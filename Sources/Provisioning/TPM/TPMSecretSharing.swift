/// Sharing a seed with an RSA key the way TPM2_MakeCredential, TPM2_Duplicate and session salts do (TPM 2.0 Part 1,
/// annex B.10.3): the seed is one digest of the key's name algorithm, RSA-OAEP-encrypted with the ASCII label and its
/// terminating zero byte as the OAEP label.
enum TPMSecretSharing {
    /// The label of credentials (`TPM2_ActivateCredential`).
    static let identity = "IDENTITY"
    /// The label of duplication outer wrappers (`TPM2_Import`).
    static let duplicate = "DUPLICATE"

    /// The `TPM2B_ENCRYPTED_SECRET` carrying `seed` to `recipient`; `oaepSeed` is the randomness of the OAEP encoding.
    static func encryptedSecret(_ seed: [UInt8], to recipient: TPMPublicArea, label: String, oaepSeed: [UInt8]) throws(TPMFormatError) -> [UInt8] {
        let key = try RSAOAEPPublicKey(recipient)
        let secret = try key.encrypt(seed, label: Array(label.utf8) + [0], seed: oaepSeed)
        return TPMWriter.sized(secret)
    }
}
