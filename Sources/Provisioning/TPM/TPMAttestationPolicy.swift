import X509

/// What TPM enrollments must show beyond their endorsement key: the TPM manufacturer CAs an EK certificate may chain
/// to, and whether every TPM enrollment needs one (`Policies/tpm-attestation.yaml`, loaded by the server).
public struct TPMAttestationPolicy: Sendable {
    /// Trust anchors for EK certificates (the manufacturers' root or intermediate CAs).
    public var manufacturerCertificates: [Certificate]
    /// Whether every TPM enrollment must carry an EK certificate; an enrollment can also ask for it alone.
    public var requiresEndorsementKeyCertificate: Bool

    /// Creates a policy.
    public init(manufacturerCertificates: [Certificate], requiresEndorsementKeyCertificate: Bool) {
        self.manufacturerCertificates = manufacturerCertificates
        self.requiresEndorsementKeyCertificate = requiresEndorsementKeyCertificate
    }

    /// No manufacturer CAs and nothing required: an EK certificate given with an enrollment is then refused, since
    /// it cannot be checked.
    public static let none = TPMAttestationPolicy(manufacturerCertificates: [], requiresEndorsementKeyCertificate: false)

    /// Whether `attestation` must carry an EK certificate: by this policy or by its own flag.
    public func requiresCertificate(_ attestation: TPMAttestation) -> Bool {
        requiresEndorsementKeyCertificate || attestation.requireEndorsementKeyCertificate == true
    }
}
