/// One NIST PKITS path-validation test (PKITS.pdf §4), as transcribed from the PKITS test descriptions.
struct PKITSCase: Sendable {
    /// The test number, e.g. `4.4.3`.
    let number: String
    /// The test's name in PKITS.pdf.
    let name: String
    /// Certificate file stems (`certs/<stem>.crt`) from the CA below the trust anchor down to the end entity.
    let path: [String]
    /// CRL file stems (`crls/<stem>.crl`) the test supplies.
    let crls: [String]
    /// Whether the path is valid under the default settings (initial-policy-set any-policy, no explicit policy).
    let valid: Bool

    init(_ number: String, _ name: String, _ path: [String], crls: [String], valid: Bool) {
        self.number = number
        self.name = name
        self.path = path
        self.crls = crls
        self.valid = valid
    }
}
