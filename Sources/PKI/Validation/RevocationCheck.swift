/// Whether and how ``DeviceChainValidator`` checks revocation.
public enum RevocationCheck: Sendable, Hashable {
    /// No revocation checking.
    case none
    /// Check every certificate below the trust anchor against `crls` (RFC 5280 §6.3, complete CRLs only).
    ///
    /// With `requireStatus`, a certificate for which no usable CRL exists (missing, expired, wrongly signed, with an
    /// unknown critical extension, …) makes the chain invalid; without it such a certificate passes.
    case crls([CRLDocument], requireStatus: Bool)
}
