import Provisioning

/// An uploaded CA certificate in the shape of Azure's ARM `CertificateResponse`.
struct CACertificateResponse: Encodable, Sendable {
    /// ARM `properties`.
    struct Properties: Encodable, Sendable {
        var subject: String
        var expiry: String
        var thumbprint: String
        var isVerified: Bool
        var created: String
        var updated: String
        var certificate: String
        var verificationCode: String?
    }

    var name: String
    var etag: String
    var type = "Microsoft.Devices/provisioningServices/certificates"
    var properties: Properties

    /// The response for `details`; the outstanding code is shown only by generateVerificationCode, as in ARM.
    init(_ details: CACertificateDetails, includingVerificationCode: Bool = false) {
        name = details.record.name
        etag = details.record.etag
        properties = Properties(
            subject: details.info.subjectName, expiry: details.info.notAfterUtc, thumbprint: details.info.sha1Thumbprint,
            isVerified: details.record.isVerified, created: details.record.createdDateTimeUtc,
            updated: details.record.lastUpdatedDateTimeUtc, certificate: details.record.certificatePEM,
            verificationCode: includingVerificationCode ? details.record.verificationCode : nil)
    }
}

/// A list of uploaded CA certificates (ARM `CertificateListDescription`: `{"value": […]}`).
struct CACertificateListResponse: Encodable, Sendable {
    var value: [CACertificateResponse]
}
