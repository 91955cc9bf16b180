import Foundation
import PKI
import Provisioning
import Routing

/// The audit events of the writes this store records itself; details name what changed, never keys.
extension AuditEvent {
    /// `enrollment.created` or `enrollment.updated` (when `previousStatus` is the status of the row replaced).
    static func individualEnrollmentSaved(_ enrollment: IndividualEnrollment, previousStatus: String?, actor: String) -> AuditEvent {
        var details = settings(status: enrollment.provisioningStatus, attestation: enrollment.attestation.type,
                               allocation: enrollment.allocationPolicy, hubs: enrollment.iotHubs, previousStatus: previousStatus)
        details["deviceId"] = enrollment.deviceId
        return AuditEvent(action: previousStatus == nil ? .enrollmentCreated : .enrollmentUpdated,
                          target: "enrollment/\(enrollment.registrationId)", details: details, actor: actor)
    }

    /// `enrollmentGroup.created` or `enrollmentGroup.updated`.
    static func enrollmentGroupSaved(_ group: EnrollmentGroup, previousStatus: String?, actor: String) -> AuditEvent {
        var details = settings(status: group.provisioningStatus, attestation: group.attestation.type,
                               allocation: group.allocationPolicy, hubs: group.iotHubs, previousStatus: previousStatus)
        if let references = group.attestation.x509?.caReferences {
            details["caReferences"] = [references.primary, references.secondary].compactMap { $0 }.joined(separator: ",")
        }
        return AuditEvent(action: previousStatus == nil ? .enrollmentGroupCreated : .enrollmentGroupUpdated,
                          target: "enrollmentGroup/\(group.enrollmentGroupId)", details: details, actor: actor)
    }

    /// `enrollment.deleted` / `enrollmentGroup.deleted`.
    static func enrollmentDeleted(group: Bool, id: String, actor: String) -> AuditEvent {
        AuditEvent(action: group ? .enrollmentGroupDeleted : .enrollmentDeleted,
                   target: group ? "enrollmentGroup/\(id)" : "enrollment/\(id)", actor: actor)
    }

    /// `caCertificate.created`, `ca.verified` (proof of possession just succeeded) or `caCertificate.updated`.
    static func caCertificateSaved(_ certificate: CACertificate, previous: CACertificate?, actor: String) -> AuditEvent {
        let action: AuditAction =
            if previous == nil { .caCertificateCreated }
            else if certificate.isVerified, previous?.isVerified == false { .caVerified }
            else { .caCertificateUpdated }
        var details = ["isVerified": String(certificate.isVerified),
                       "certificateSha256": AuditChain.digest(Array(certificate.certificatePEM.utf8))]
        if previous != nil, previous?.certificatePEM != certificate.certificatePEM { details["certificateReplaced"] = "true" }
        if certificate.verificationCode != nil, previous?.verificationCode != certificate.verificationCode {
            details["verificationCodeIssued"] = "true"
        }
        return AuditEvent(action: action, target: "caCertificate/\(certificate.name)", details: details, actor: actor)
    }

    /// `caCertificate.deleted`.
    static func caCertificateDeleted(name: String, actor: String) -> AuditEvent {
        AuditEvent(action: .caCertificateDeleted, target: "caCertificate/\(name)", actor: actor)
    }

    /// `policy.changed` for a shard's routing; the configuration itself may hold webhook credentials, so only its
    /// shape and digest are recorded.
    static func routingSaved(_ configuration: RoutingConfiguration, json: String, shard: String, actor: String) -> AuditEvent {
        AuditEvent(action: .policyChanged, target: "routing/\(shard)", details: [
            "policy": "routing",
            "endpoints": configuration.endpoints.map(\.name).joined(separator: ","),
            "routes": configuration.routes.map(\.name).joined(separator: ","),
            "sha256": AuditChain.digest(Array(json.utf8)),
        ], actor: actor)
    }

    private static func settings(status: ProvisioningStatus?, attestation: AttestationMechanism.Kind, allocation: AllocationPolicyKind?,
                                 hubs: [String]?, previousStatus: String?) -> [String: String] {
        var details = ["provisioningStatus": (status ?? .enabled).rawValue, "attestation": attestation.rawValue]
        details["previousProvisioningStatus"] = previousStatus
        details["allocationPolicy"] = allocation?.rawValue
        details["iotHubs"] = hubs.map { $0.joined(separator: ",") }
        return details
    }
}
