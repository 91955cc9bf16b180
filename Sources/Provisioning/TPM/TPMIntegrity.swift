import Crypto

/// The HMAC that protects credential and duplication blobs (SHA-256: every name algorithm this service accepts).
enum TPMIntegrity {
    /// HMAC-SHA-256 of `message` under `key`.
    static func hmac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }
}
