import Foundation
import Crypto
import SwiftASN1

/// The hash a CertID was computed with; RFC 6960 clients use SHA-1 (openssl's default) or SHA-256.
public enum OCSPHashAlgorithm: Sendable, Equatable {
    /// id-sha1.
    case sha1
    /// id-sha256.
    case sha256
    /// id-sha384.
    case sha384
    /// id-sha512.
    case sha512

    /// The algorithm for an AlgorithmIdentifier OID, or nil for one this responder does not compute.
    init?(oid: ASN1ObjectIdentifier) {
        switch oid {
        case [1, 3, 14, 3, 2, 26]: self = .sha1
        case [2, 16, 840, 1, 101, 3, 4, 2, 1]: self = .sha256
        case [2, 16, 840, 1, 101, 3, 4, 2, 2]: self = .sha384
        case [2, 16, 840, 1, 101, 3, 4, 2, 3]: self = .sha512
        default: return nil
        }
    }

    /// The OID, for building requests in tests and tools.
    public var oid: ASN1ObjectIdentifier {
        switch self {
        case .sha1: [1, 3, 14, 3, 2, 26]
        case .sha256: [2, 16, 840, 1, 101, 3, 4, 2, 1]
        case .sha384: [2, 16, 840, 1, 101, 3, 4, 2, 2]
        case .sha512: [2, 16, 840, 1, 101, 3, 4, 2, 3]
        }
    }

    /// The digest of `bytes`.
    public func hash(_ bytes: some DataProtocol) -> [UInt8] {
        switch self {
        case .sha1: Array(Insecure.SHA1.hash(data: bytes))
        case .sha256: Array(SHA256.hash(data: bytes))
        case .sha384: Array(SHA384.hash(data: bytes))
        case .sha512: Array(SHA512.hash(data: bytes))
        }
    }
}
