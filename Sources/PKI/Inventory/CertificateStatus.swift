/// The lifecycle state of an issued certificate in the inventory.
public enum CertificateStatus: String, Codable, Sendable {
    /// Issued and in use.
    case active
    /// Revoked; listed on the CRL and answered `revoked` by OCSP.
    case revoked
    /// Replaced by a renewal; still valid until it expires but no longer the current one.
    case superseded
}
