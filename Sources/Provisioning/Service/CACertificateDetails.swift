/// An uploaded CA certificate as the service API shows it: the stored record plus the certificate's details.
public struct CACertificateDetails: Sendable, Equatable {
    /// The stored record (PEM, verification state, outstanding code, etag, timestamps).
    public var record: CACertificate
    /// Subject, issuer, thumbprints, validity and serial of the certificate.
    public var info: X509CertificateInfo

    /// Creates the value.
    public init(record: CACertificate, info: X509CertificateInfo) {
        self.record = record
        self.info = info
    }
}
