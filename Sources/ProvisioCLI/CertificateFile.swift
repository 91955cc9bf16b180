import Foundation

/// A certificate file named on the command line or in an import: PEM text is kept, DER becomes Base64 —
/// the two forms the DPS model (and `EnrollmentService`) accept.
enum CertificateFile {
    /// The certificate text of `path`, resolved against `base` when relative.
    static func text(_ path: String, relativeTo base: URL? = nil) throws -> String {
        let url = base.map { URL(fileURLWithPath: path, relativeTo: $0) } ?? URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw CLIError("cannot read certificate file \(path)")
        }
        if let text = String(data: data, encoding: .utf8), text.contains("-----BEGIN") {
            return text
        }
        return data.base64EncodedString()
    }
}
