import Foundation

/// The `authenticationKey` blob DPS gives a TPM device (the 401 challenge and `registrationState.tpm`): an HMAC key
/// only that TPM can import, laid out as the Azure IoT C SDK's `insert_key_in_tpm` reads it —
/// `TPM2B_ID_OBJECT ‖ TPM2B_ENCRYPTED_SECRET` (a credential to the EK, bound to the SRK's Name, carrying the inner
/// wrapper key), `TPM2B_PRIVATE ‖ TPM2B_ENCRYPTED_SECRET` (the HMAC key duplicated for the SRK), `TPM2B_PUBLIC` (its
/// public area) and an empty `UINT16`-sized `encData`.
public struct TPMAuthenticationKey: Sendable, Equatable {
    /// The blob.
    public var bytes: [UInt8]

    /// Wraps `hmacKey` (1–64 bytes) for the TPM with `endorsementKey` and `storageRootKey`; `randomBytes` supplies
    /// the inner key, seeds and OAEP randomness (192 bytes in all).
    public init(wrapping hmacKey: [UInt8], endorsementKey: TPMPublicArea, storageRootKey: TPMPublicArea,
                randomBytes: (Int) -> [UInt8]) throws(TPMFormatError) {
        precondition((1...64).contains(hmacKey.count), "an identity key has 1 to 64 bytes")
        let innerKey = randomBytes(16)
        do {
            let credential = try TPMCredential(protecting: innerKey, for: endorsementKey, objectName: storageRootKey.name,
                                               seed: randomBytes(32), oaepSeed: randomBytes(32))
            let duplicate = try TPMDuplicate(hmacKey: hmacKey, seedValue: randomBytes(32), innerKey: innerKey, parent: storageRootKey,
                                             seed: randomBytes(32), oaepSeed: randomBytes(32))
            bytes = credential.idObject + credential.encryptedSecret + duplicate.duplicate + duplicate.encryptedSeed
                + duplicate.publicArea.sizedBytes + [0, 0]
        } catch let error as TPMFormatError {
            throw error
        } catch {
            // AES-CFB only fails for a wrong key size, which the KDF never produces.
            throw TPMFormatError("the authentication key could not be encrypted")
        }
    }

    /// The Base64 text of the blob, as the JSON carries it.
    public var base64: String { Data(bytes).base64EncodedString() }
}
