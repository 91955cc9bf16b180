/// What happens to a device's earlier certificates when it is issued a new one (a renewal).
public enum RenewalBehaviour: String, Codable, Sendable, CaseIterable {
    /// The earlier certificates are marked `superseded` in the inventory and stay valid until they expire.
    case keep
    /// The earlier certificates are revoked with reason `superseded`: listed on the CRL, `revoked` in OCSP, refused
    /// at DPS and the shards, and connections using them are closed.
    case revoke
}
