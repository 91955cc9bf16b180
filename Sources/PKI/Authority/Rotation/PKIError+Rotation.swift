extension PKIError.Code {
    /// No CA generation has the requested number.
    public static let unknownGeneration = PKIError.Code("unknownGeneration")
    /// The operation would leave the installation without an issuing CA (retiring the active generation).
    public static let generationInUse = PKIError.Code("generationInUse")
    /// The generation is already retired.
    public static let generationRetired = PKIError.Code("generationRetired")
}
