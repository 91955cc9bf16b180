extension PKIError.Code {
    /// A certificate revocation list is not a well-formed DER `CertificateList`.
    public static let malformedCRL = PKIError.Code("malformedCRL")
}
