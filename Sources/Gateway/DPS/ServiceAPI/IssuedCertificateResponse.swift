import Foundation
import PKI

/// One issued certificate in service API answers (revocations and listings).
struct IssuedCertificateResponse: Encodable, Sendable {
    var serialNumber: String
    var subject: String
    var issuer: String
    var profile: String
    var deviceId: String?
    var enrollmentId: String?
    var notBefore: String
    var notAfter: String
    var status: String
    var revokedAt: String?
    var revocationReason: String?

    init(_ entry: CertificateInventoryEntry) {
        let record = entry.record
        let format = ISO8601DateFormatter()
        serialNumber = record.serialNumber
        subject = record.subject
        issuer = record.issuer
        profile = record.profile
        deviceId = record.deviceId
        enrollmentId = record.enrollmentId
        notBefore = format.string(from: record.notBefore)
        notAfter = format.string(from: record.notAfter)
        status = record.status.rawValue
        revokedAt = entry.revocation.map { format.string(from: $0.revocationDate) }
        revocationReason = entry.revocation?.reason.name
    }
}
