import SwiftASN1
import X509

extension IssuedCertificateRecord {
    /// Whether the certificate is a CA (basic constraints say so); its issuance is then `ca.created`.
    public var isCertificateAuthority: Bool {
        guard let certificate = try? certificate(), let constraints = try? certificate.extensions.basicConstraints else {
            return false
        }
        if case .isCertificateAuthority = constraints { return true }
        return false
    }

    /// The audit event for recording this certificate: `ca.created` for a CA, else `certificate.issued`.
    public func issuanceAuditEvent(actor: String = AuditActor.current) -> AuditEvent {
        var details = [
            "serialNumber": serialNumber, "subject": subject, "issuer": issuer, "profile": profile,
            "notBefore": AuditTime.text(notBefore), "notAfter": AuditTime.text(notAfter),
        ]
        details["deviceId"] = deviceId
        details["enrollmentId"] = enrollmentId
        details["sha256"] = AuditChain.digest(derBytes)
        return AuditEvent(action: isCertificateAuthority ? .caCreated : .certificateIssued,
                          target: "certificate/\(serialNumber)", details: details, actor: actor)
    }

    /// The audit event for revoking this certificate with `reason` because of a request for `requested`.
    public func revocationAuditEvent(reason: RevocationReason, requested: RevocationTarget,
                                     actor: String = AuditActor.current) -> AuditEvent {
        var details = ["serialNumber": serialNumber, "subject": subject, "issuer": issuer, "reason": reason.name,
                       "requested": requested.description]
        details["deviceId"] = deviceId
        details["enrollmentId"] = enrollmentId
        return AuditEvent(action: .certificateRevoked, target: "certificate/\(serialNumber)", details: details, actor: actor)
    }
}
