extension PKIError.Code {
    /// A PKCS#7 / CMS message could not be parsed.
    public static let invalidPKCS7 = PKIError.Code("invalidPKCS7")
}
