/// What a security-relevant action was: a stable dotted name (`certificate.revoked`) that tools may filter on.
public struct AuditAction: RawRepresentable, Hashable, Sendable, Codable, CustomStringConvertible {
    /// The dotted name.
    public var rawValue: String

    /// An action by its dotted name.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// The dotted name.
    public var description: String { rawValue }

    /// One of the service's own CAs (root or issuing) was created.
    public static let caCreated = AuditAction(rawValue: "ca.created")
    /// A new CA generation was added and takes over issuance (CA rotation).
    public static let caRotated = AuditAction(rawValue: "ca.rotated")
    /// A CA generation was retired: its certificates no longer verify.
    public static let caRetired = AuditAction(rawValue: "ca.retired")
    /// Proof of possession of an uploaded device CA's key succeeded.
    public static let caVerified = AuditAction(rawValue: "ca.verified")
    /// A device CA certificate was uploaded for X.509 enrollment groups.
    public static let caCertificateCreated = AuditAction(rawValue: "caCertificate.created")
    /// An uploaded device CA certificate was replaced or got a new verification code.
    public static let caCertificateUpdated = AuditAction(rawValue: "caCertificate.updated")
    /// An uploaded device CA certificate was deleted.
    public static let caCertificateDeleted = AuditAction(rawValue: "caCertificate.deleted")
    /// A leaf certificate (device, TLS server, EST client) was issued.
    public static let certificateIssued = AuditAction(rawValue: "certificate.issued")
    /// A certificate was revoked.
    public static let certificateRevoked = AuditAction(rawValue: "certificate.revoked")
    /// An individual enrollment was created.
    public static let enrollmentCreated = AuditAction(rawValue: "enrollment.created")
    /// An individual enrollment was replaced (attestation, status, allocation…).
    public static let enrollmentUpdated = AuditAction(rawValue: "enrollment.updated")
    /// An individual enrollment was deleted.
    public static let enrollmentDeleted = AuditAction(rawValue: "enrollment.deleted")
    /// An enrollment group was created.
    public static let enrollmentGroupCreated = AuditAction(rawValue: "enrollmentGroup.created")
    /// An enrollment group was replaced.
    public static let enrollmentGroupUpdated = AuditAction(rawValue: "enrollmentGroup.updated")
    /// An enrollment group was deleted.
    public static let enrollmentGroupDeleted = AuditAction(rawValue: "enrollmentGroup.deleted")
    /// A policy in force changed (a shard's routing, issuance or attestation policy).
    public static let policyChanged = AuditAction(rawValue: "policy.changed")
}
