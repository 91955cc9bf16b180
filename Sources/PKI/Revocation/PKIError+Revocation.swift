extension PKIError.Code {
    /// No issued certificate matches a serial number, device or enrollment.
    public static let certificateNotFound = PKIError.Code("certificateNotFound")
    /// The certificate cannot be revoked here (a CA certificate: retire the CA instead).
    public static let notRevocable = PKIError.Code("notRevocable")
    /// A revocation reason, serial number or OCSP/CRL request is malformed.
    public static let invalidRevocationRequest = PKIError.Code("invalidRevocationRequest")
}
