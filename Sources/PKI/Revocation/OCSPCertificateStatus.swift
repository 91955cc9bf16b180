import Foundation

/// The answer for one certificate (RFC 6960 §2.2).
public enum OCSPCertificateStatus: Sendable, Equatable {
    /// Issued by this CA and not revoked.
    case good
    /// Revoked at a time, for a reason.
    case revoked(CertificateRevocation)
    /// Not a certificate this responder knows.
    case unknown
}
