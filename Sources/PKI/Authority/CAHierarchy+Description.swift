import Foundation
import X509

extension CAHierarchy {
    /// A human-readable summary of the root and issuing CA for `provisio ca show`; contains no key material.
    public func describe() -> String {
        [Self.describe(root, title: "Root CA"), Self.describe(issuing, title: "Issuing CA")].joined(separator: "\n")
    }

    private static func describe(_ authority: CertificateAuthority, title: String) -> String {
        let certificate = authority.certificate
        let fingerprint = (try? certificate.sha256Fingerprint()) ?? "unavailable"
        let rows: [(String, String)] = [
            ("Subject", String(describing: certificate.subject)),
            ("Issuer", String(describing: certificate.issuer)),
            ("Serial", certificate.serialNumberHex),
            ("Not before", certificate.notValidBefore.formatted(.iso8601)),
            ("Not after", certificate.notValidAfter.formatted(.iso8601)),
            ("Key algorithm", certificate.publicKey.algorithmDescription),
            ("Signature", String(describing: certificate.signatureAlgorithm)),
            ("SHA-256", fingerprint),
        ]
        let lines = rows.map { label, value in
            "  " + (label + ":").padding(toLength: 15, withPad: " ", startingAt: 0) + value
        }
        return (["\(title) (\(authority.name))"] + lines).joined(separator: "\n") + "\n"
    }
}
