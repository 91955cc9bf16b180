import Crypto
import _CryptoExtras

/// AES-CFB with a zero IV, as TPM credential and duplication wrappers use it (each key encrypts one message).
enum TPMSymmetricCipher {
    private static let zeroIV = try! AES._CFB.IV(ivBytes: [UInt8](repeating: 0, count: 16))

    /// Encrypts `plaintext` under `key` (16, 24 or 32 bytes).
    static func encrypt(_ plaintext: [UInt8], key: [UInt8]) throws -> [UInt8] {
        Array(try AES._CFB.encrypt(plaintext, using: SymmetricKey(data: key), iv: zeroIV))
    }

    /// Decrypts what `encrypt` produced; tests use it to play the TPM.
    static func decrypt(_ ciphertext: [UInt8], key: [UInt8]) throws -> [UInt8] {
        Array(try AES._CFB.decrypt(ciphertext, using: SymmetricKey(data: key), iv: zeroIV))
    }
}
