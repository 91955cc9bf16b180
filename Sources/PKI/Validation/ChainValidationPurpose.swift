/// What a validated certificate will authenticate; decides the leaf's extended key usage and identity checks.
public enum ChainValidationPurpose: Sendable, Hashable {
    /// A TLS client such as a device: EKU `clientAuth` (or `anyExtendedKeyUsage`, or no EKU at all).
    case clientAuthentication
    /// A TLS server: EKU `serverAuth`, the CA/Browser Forum's leaf rules, and the peer name when one is given.
    case serverAuthentication(PeerName?)
    /// A TPM endorsement-key certificate (TCG EK Credential Profile): EKU `tcg-kp-EKCertificate` (2.23.133.8.1) when
    /// the leaf has an EKU at all. Only for checking an EK certificate against TPM manufacturer CAs.
    case tpmEndorsementKey

    /// The name a server certificate must be valid for (RFC 6125 matching against its SAN).
    public enum PeerName: Sendable, Hashable {
        /// A DNS host name.
        case dns(String)
        /// An IPv4 or IPv6 address in text form.
        case ipAddress(String)
    }

    /// The EKU purpose the leaf must allow.
    var extendedKeyUsage: ExtendedKeyUsageRequirement {
        switch self {
        case .clientAuthentication: return .clientAuth
        case .serverAuthentication: return .serverAuth
        case .tpmEndorsementKey: return .tpmEndorsementKeyCertificate
        }
    }

    /// Whether the CA/Browser Forum leaf profile applies on top of RFC 5280.
    var isServer: Bool {
        if case .serverAuthentication = self { return true }
        return false
    }
}

/// The EKU purpose a leaf must allow.
enum ExtendedKeyUsageRequirement: Sendable, Hashable {
    case clientAuth
    case serverAuth
    case tpmEndorsementKeyCertificate
}
