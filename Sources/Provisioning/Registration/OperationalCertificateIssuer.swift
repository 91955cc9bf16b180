import Foundation

/// Issues a device's operational certificate from the CSR it sent with its registration (DPS certificate
/// issuance); the PKI implements it with the issuing CA.
public protocol OperationalCertificateIssuer: Sendable {
    /// Checks the CSR (signature, subject CN = registration id, the enrollment's issuance policy) and returns the
    /// chain, leaf first, each certificate DER-encoded. Throws `ProvisioningError.badRequest` for an unacceptable CSR.
    /// The device's earlier certificates are untouched until `supersedePredecessors` runs.
    func issue(_ request: OperationalCertificateRequest) async throws -> [[UInt8]]

    /// Supersedes the device's other current certificates by `leaf` (DER), keeping or revoking them per the
    /// enrollment's policy. Call it only once the new certificate is the device's for good — stored in its assigned
    /// registration record, or sent in the reply — so a failed registration never costs a device its certificate.
    func supersedePredecessors(ofLeaf leaf: [UInt8], request: OperationalCertificateRequest) async throws
}

extension OperationalCertificateIssuer {
    /// Issuers without an inventory have nothing to supersede.
    public func supersedePredecessors(ofLeaf leaf: [UInt8], request: OperationalCertificateRequest) async throws {}
}

extension OperationalCertificateIssuer {
    /// Issues for `enrollmentId`, which is the registration id for an individual enrollment and the group id otherwise.
    public func issue(csr: [UInt8], registrationId: String, deviceId: String, enrollmentId: String) async throws -> [[UInt8]] {
        let isIndividual = enrollmentId.caseInsensitiveCompare(registrationId) == .orderedSame
        return try await issue(OperationalCertificateRequest(
            csr: csr, registrationId: registrationId, deviceId: deviceId, enrollmentGroupId: isIndividual ? nil : enrollmentId))
    }
}

/// What one issuance is for: the CSR and the device and enrollment it was attested under.
public struct OperationalCertificateRequest: Sendable, Equatable {
    /// The DER PKCS#10 request.
    public var csr: [UInt8]
    /// The registration id (the CSR's subject CN must equal it).
    public var registrationId: String
    /// The device id on the hub.
    public var deviceId: String
    /// The group that admitted the device, nil for an individual enrollment.
    public var enrollmentGroupId: String?

    /// The enrollment the inventory records: the group id, else the registration id.
    public var enrollmentId: String { enrollmentGroupId ?? registrationId }

    /// Creates a request.
    public init(csr: [UInt8], registrationId: String, deviceId: String, enrollmentGroupId: String?) {
        self.csr = csr
        self.registrationId = registrationId
        self.deviceId = deviceId
        self.enrollmentGroupId = enrollmentGroupId
    }
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
