/// The body of a certificate upload or verification: `{"certificate": "<PEM or Base64 DER>"}`, or ARM's
/// `{"properties": {"certificate": …, "isVerified": …}}`.
struct CACertificateRequest: Decodable, Sendable {
    /// ARM's nested form.
    struct Properties: Decodable, Sendable {
        var certificate: String?
        var isVerified: Bool?
    }

    var certificate: String?
    var properties: Properties?

    /// The certificate text from whichever form was sent.
    var certificateText: String? { certificate ?? properties?.certificate }
}
