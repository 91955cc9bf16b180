import Foundation
import SwiftASN1
import X509

/// A certificate field of a service request: parsed from PEM or Base64 DER, or refused with a 400 naming the field.
enum CertificateInput {
    /// Parses `text`; `field` is the JSON path used in the error message.
    static func parse(_ text: String?, field: String) throws(ProvisioningError) -> Certificate {
        guard let text, !text.allSatisfy(\.isWhitespace) else {
            throw .badRequest("\(field) is required: a PEM or Base64 DER certificate")
        }
        guard let certificate = CertificateText.parse(text.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .badRequest("\(field) is not a valid certificate (expected PEM or Base64 DER)")
        }
        return certificate
    }

    /// The PEM text the service stores.
    static func pem(_ certificate: Certificate) throws -> String {
        try certificate.serializeAsPEM().pemString + "\n"
    }
}
