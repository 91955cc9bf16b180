/// What `python/tls_probe.py` prints: one result per target, in the order given.
struct TLSProbeReport: Decodable, Sendable {
    /// The outcome for one `handshake:` or `get:` target.
    struct Result: Decodable, Sendable {
        /// The target as passed on the command line.
        var target: String
        /// Whether the handshake (and request) succeeded.
        var ok: Bool
        /// Why it failed.
        var error: String?
        /// The negotiated protocol (`TLSv1.2`).
        var version: String?
        /// The negotiated cipher suite.
        var cipher: String?
        /// The server certificate's SANs as (type, value) pairs, e.g. `["IP Address", "127.10.0.1"]`.
        var subjectAltName: [[String]]?
        /// HTTP status, for `get:` targets.
        var status: Int?
        /// HTTP `Content-Type`, for `get:` targets.
        var contentType: String?
        /// HTTP body, for `get:` targets.
        var body: String?
    }

    /// The results, one per target.
    var results: [Result]

    /// Runs the probe against `targets`, trusting `trustBundle`.
    static func probe(trustBundle: String, targets: [String]) async throws -> TLSProbeReport {
        try await PythonRunner.run("tls_probe.py", [trustBundle] + targets, as: TLSProbeReport.self)
    }
}
