import Foundation

/// The body a device sends to register (DPS `DeviceRegistration`), over MQTT and HTTPS alike.
public struct DeviceRegistrationRequest: Decodable, Sendable {
    /// The registration id (must match the one the device authenticated as).
    public var registrationId: String?
    /// Custom data for allocation webhooks and the registration result.
    public var payload: JSONValue?
    /// Base64 DER PKCS#10 (api-version 2025-07-01-preview and later).
    public var csr: String?
    /// The same, under an earlier preview's name.
    public var clientCertificateCsr: String?

    /// An empty body.
    public init() {}

    /// The CSR bytes, if one was sent; refused for api-versions that predate certificate issuance.
    public func certificateSigningRequest(apiVersion: String?) throws -> [UInt8]? {
        guard let text = csr ?? clientCertificateCsr else { return nil }
        guard CertificateIssuanceAPIVersion.allowsCSR(apiVersion) else {
            throw ProvisioningError.badRequest("a csr needs api-version 2025-07-01-preview or later")
        }
        guard let der = Data(base64Encoded: text.filter { !$0.isWhitespace }), !der.isEmpty else {
            throw ProvisioningError.badRequest("csr must be Base64 DER (PKCS#10) without PEM armour")
        }
        return Array(der)
    }
}
