import HTTPTypes

/// A refused EST request: the HTTP status and a public reason (RFC 7030 §4.2.3 lets the body explain in plain text).
struct ESTError: Error, Sendable {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// Safe to show: never a key, password or the internal cause.
    var message: String

    /// 401 with a Basic challenge: no credential, or one that does not authenticate.
    static func unauthorized(_ message: String) -> ESTError { ESTError(status: .unauthorized, message: message) }
    /// 400: the body is not base64, not a PKCS#10 request, or the CA policy refuses it.
    static func badRequest(_ message: String) -> ESTError { ESTError(status: .badRequest, message: message) }
    /// 403: authenticated, but not allowed this (disabled enrollment, name mismatch, revoked certificate).
    static func forbidden(_ message: String) -> ESTError { ESTError(status: .forbidden, message: message) }
}
