/// How a device proves who it is (DPS `AttestationMechanism`).
public struct AttestationMechanism: Codable, Sendable, Equatable {
    /// The mechanism kind.
    public enum Kind: String, Codable, Sendable {
        case none, symmetricKey, x509, tpm
    }

    /// Which of the members below applies.
    public var type: Kind
    /// Symmetric-key attestation.
    public var symmetricKey: SymmetricKeyAttestation?
    /// X.509 attestation.
    public var x509: X509Attestation?
    /// TPM attestation.
    public var tpm: TPMAttestation?

    /// Creates a mechanism.
    public init(type: Kind, symmetricKey: SymmetricKeyAttestation? = nil, x509: X509Attestation? = nil, tpm: TPMAttestation? = nil) {
        self.type = type
        self.symmetricKey = symmetricKey
        self.x509 = x509
        self.tpm = tpm
    }
}

/// Primary and secondary Base64 keys.
public struct SymmetricKeyAttestation: Codable, Sendable, Equatable {
    /// Primary key (Base64).
    public var primaryKey: String?
    /// Secondary key (Base64).
    public var secondaryKey: String?

    /// Creates keys.
    public init(primaryKey: String? = nil, secondaryKey: String? = nil) {
        self.primaryKey = primaryKey
        self.secondaryKey = secondaryKey
    }
}

/// X.509 attestation: client certificates (individual), signing certificates or CA references (groups).
public struct X509Attestation: Codable, Sendable, Equatable {
    /// Device certificates of an individual enrollment.
    public var clientCertificates: X509Certificates?
    /// CA or intermediate certificates of a group, given inline.
    public var signingCertificates: X509Certificates?
    /// Names of uploaded, verified CA certificates.
    public var caReferences: X509CAReferences?

    /// Creates an X.509 attestation.
    public init(clientCertificates: X509Certificates? = nil, signingCertificates: X509Certificates? = nil, caReferences: X509CAReferences? = nil) {
        self.clientCertificates = clientCertificates
        self.signingCertificates = signingCertificates
        self.caReferences = caReferences
    }
}

/// A primary and an optional secondary certificate.
public struct X509Certificates: Codable, Sendable, Equatable {
    /// Primary.
    public var primary: X509CertificateWithInfo?
    /// Secondary.
    public var secondary: X509CertificateWithInfo?

    /// Creates the pair.
    public init(primary: X509CertificateWithInfo?, secondary: X509CertificateWithInfo? = nil) {
        self.primary = primary
        self.secondary = secondary
    }
}

/// A certificate as given (PEM or Base64 DER) and, in responses, its details.
public struct X509CertificateWithInfo: Codable, Sendable, Equatable {
    /// The certificate text as the client sent it.
    public var certificate: String?
    /// Parsed details, filled by the service.
    public var info: X509CertificateInfo?

    /// Creates the value.
    public init(certificate: String?, info: X509CertificateInfo? = nil) {
        self.certificate = certificate
        self.info = info
    }
}

/// Certificate details as DPS reports them.
public struct X509CertificateInfo: Codable, Sendable, Equatable {
    /// Subject DN.
    public var subjectName: String
    /// SHA-1 thumbprint, upper-case hex.
    public var sha1Thumbprint: String
    /// SHA-256 thumbprint, upper-case hex.
    public var sha256Thumbprint: String
    /// Issuer DN.
    public var issuerName: String
    /// Not-before, ISO 8601.
    public var notBeforeUtc: String
    /// Not-after, ISO 8601.
    public var notAfterUtc: String
    /// Serial number, upper-case hex.
    public var serialNumber: String
    /// X.509 version (3).
    public var version: Int

    /// Creates the details.
    public init(subjectName: String, sha1Thumbprint: String, sha256Thumbprint: String, issuerName: String,
                notBeforeUtc: String, notAfterUtc: String, serialNumber: String, version: Int) {
        self.subjectName = subjectName
        self.sha1Thumbprint = sha1Thumbprint
        self.sha256Thumbprint = sha256Thumbprint
        self.issuerName = issuerName
        self.notBeforeUtc = notBeforeUtc
        self.notAfterUtc = notAfterUtc
        self.serialNumber = serialNumber
        self.version = version
    }
}

/// Names of uploaded CA certificates.
public struct X509CAReferences: Codable, Sendable, Equatable {
    /// Primary CA name.
    public var primary: String?
    /// Secondary CA name.
    public var secondary: String?

    /// Creates references.
    public init(primary: String?, secondary: String? = nil) {
        self.primary = primary
        self.secondary = secondary
    }
}

/// A TPM's endorsement key and storage root key (Base64 TPM2B_PUBLIC), optionally with the TPM manufacturer's
/// certificate for the endorsement key (a Provisio extension: `TPMAttestationPolicy`).
public struct TPMAttestation: Codable, Sendable, Equatable {
    /// Endorsement key.
    public var endorsementKey: String
    /// Storage root key.
    public var storageRootKey: String?
    /// The EK certificate (Base64 DER or PEM, as read from NV index 0x01c00002); checked against the configured TPM
    /// manufacturer CAs and the endorsement key.
    public var endorsementKeyCertificate: String?
    /// Whether this enrollment must carry an EK certificate even when the server's policy does not require one.
    public var requireEndorsementKeyCertificate: Bool?

    /// Creates the value.
    public init(endorsementKey: String, storageRootKey: String? = nil, endorsementKeyCertificate: String? = nil,
                requireEndorsementKeyCertificate: Bool? = nil) {
        self.endorsementKey = endorsementKey
        self.storageRootKey = storageRootKey
        self.endorsementKeyCertificate = endorsementKeyCertificate
        self.requireEndorsementKeyCertificate = requireEndorsementKeyCertificate
    }
}
