import Crypto

/// The hash functions a TPM name algorithm can select.
enum TPMHash {
    /// `H_algorithm(bytes)`; `algorithm` must be one `TPMAlgorithm.digestSize` knows.
    static func digest(_ bytes: [UInt8], algorithm: TPMAlgorithm) -> [UInt8] {
        switch algorithm {
        case .sha1: Array(Insecure.SHA1.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        default: preconditionFailure("TPMHash.digest called with \(algorithm), which is no hash algorithm")
        }
    }
}
