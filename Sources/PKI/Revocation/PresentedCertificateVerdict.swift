/// Whether a certificate chain a client presents may still be used, as far as validity and revocation go.
public enum PresentedCertificateVerdict: Sendable, Equatable, CustomStringConvertible {
    /// Within its validity period and not revoked.
    case acceptable
    /// The leaf's notAfter has passed.
    case expired(serialNumber: String)
    /// The leaf's notBefore is still ahead.
    case notYetValid(serialNumber: String)
    /// The leaf or a CA certificate in the chain was revoked.
    case revoked(CertificateRevocation)

    /// Whether the chain may be used.
    public var isAcceptable: Bool { self == .acceptable }

    /// A public reason for logs and refusals.
    public var description: String {
        switch self {
        case .acceptable: "acceptable"
        case .expired(let serial): "certificate \(serial) has expired"
        case .notYetValid(let serial): "certificate \(serial) is not valid yet"
        case .revoked(let revocation): "certificate \(revocation.serialNumber) is revoked (\(revocation.reason.name))"
        }
    }
}
