import X509

extension DeviceChainValidator {
    /// How ``DeviceChainValidator`` validates; the defaults are those device attestation uses.
    public struct Configuration: Sendable {
        /// What the leaf authenticates.
        public var purpose: ChainValidationPurpose
        /// KeyUsage bits the leaf must assert when it has a KeyUsage extension.
        public var requiredLeafKeyUsage: KeyUsage
        /// Whether the authority and subject key identifiers RFC 5280 requires of conforming CAs must be present.
        public var keyIdentifiers: KeyIdentifierRule
        /// The most intermediate CAs a path may hold (self-issued ones not counted); nil for no limit.
        public var maximumIntermediates: Int?
        /// At most this many presented certificates are considered for path building (a bound on the search).
        public var maximumPresentedCertificates: Int
        /// Revocation checking.
        public var revocation: RevocationCheck

        /// Creates a configuration; the defaults suit TLS client (device) certificates.
        public init(
            purpose: ChainValidationPurpose = .clientAuthentication,
            requiredLeafKeyUsage: KeyUsage = KeyUsage(digitalSignature: true),
            keyIdentifiers: KeyIdentifierRule = .optional,
            maximumIntermediates: Int? = 8,
            maximumPresentedCertificates: Int = 16,
            revocation: RevocationCheck = .none
        ) {
            self.purpose = purpose
            self.requiredLeafKeyUsage = requiredLeafKeyUsage
            self.keyIdentifiers = keyIdentifiers
            self.maximumIntermediates = maximumIntermediates
            self.maximumPresentedCertificates = maximumPresentedCertificates
            self.revocation = revocation
        }
    }

    /// Whether AuthorityKeyIdentifier and SubjectKeyIdentifier are required (RFC 5280 §4.2.1.1–2).
    public enum KeyIdentifierRule: Sendable, Hashable {
        /// Key identifiers are path-building hints; many device CAs omit them, so their absence is tolerated. When
        /// present they must still be well-formed.
        case optional
        /// AKI with keyIdentifier on every certificate that is not self-signed, SKI on every CA, and a self-signed
        /// certificate's AKI naming its own key.
        case required
    }
}
