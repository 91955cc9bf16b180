import HTTPTypes

/// A refused EST request: the HTTP status and a public reason (RFC 7030 §4.2.3 lets the body explain in plain text).
struct ESTError: Error, Sendable {
    /// The HTTP status.
    var status: HTTPResponse.Status
    /// Safe to show: never a key, password or the internal cause.
    var message: String
    /// Seconds to wait before retrying (429).
    var retryAfter: Int?

    init(status: HTTPResponse.Status, message: String, retryAfter: Int? = nil) {
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }

    /// 401 with a Basic challenge: no credential, or one that does not authenticate.
    static func unauthorized(_ message: String) -> ESTError { ESTError(status: .unauthorized, message: message) }
    /// 400: the body is not base64, not a PKCS#10 request, or the CA policy refuses it.
    static func badRequest(_ message: String) -> ESTError { ESTError(status: .badRequest, message: message) }
    /// 403: authenticated, but not allowed this (disabled enrollment, name mismatch, revoked certificate).
    static func forbidden(_ message: String) -> ESTError { ESTError(status: .forbidden, message: message) }
    /// 429: over the enrollment rate, which also bounds credential guessing.
    static func throttled(retryAfter: Int) -> ESTError {
        ESTError(status: .tooManyRequests, message: "enrollment rate limit reached; retry later", retryAfter: retryAfter)
    }
}
