import Foundation

/// Issues a device's operational certificate from the CSR it sent with its registration (DPS certificate
/// issuance); the PKI implements it with the issuing CA.
public protocol OperationalCertificateIssuer: Sendable {
    /// Checks the CSR (signature, subject CN = registration id, allowed key) and returns the chain, leaf first,
    /// each certificate DER-encoded. Throws `ProvisioningError.badRequest` for an unacceptable CSR.
    func issue(csr: [UInt8], registrationId: String, deviceId: String, enrollmentId: String) async throws -> [[UInt8]]
}

/// The api-versions that may carry a CSR (`2025-07-01-preview` and later).
public enum CertificateIssuanceAPIVersion {
    /// Whether `apiVersion` knows the `csr` field.
    public static func allowsCSR(_ apiVersion: String?) -> Bool {
        guard let apiVersion else { return false }
        let date = apiVersion.prefix(10)
        return date >= "2025-07-01"
    }
}
