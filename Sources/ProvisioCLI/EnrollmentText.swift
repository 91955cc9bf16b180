import Foundation
import Provisioning

/// How the commands print enrollments, groups and registration states: DPS-shaped JSON, or a readable summary.
///
/// Summaries include symmetric keys on purpose: `create` and `show` are how a manufacturer learns generated keys.
enum EnrollmentText {
    /// Pretty JSON in the DPS wire shape (nil members omitted, `/` unescaped for PEM text).
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// A readable summary of an individual enrollment.
    static func summary(_ enrollment: IndividualEnrollment) -> String {
        var lines = [
            field("registrationId", enrollment.registrationId),
            field("deviceId", enrollment.deviceId ?? "\(enrollment.registrationId) (the registration id)"),
        ]
        lines += attestation(enrollment.attestation)
        lines += settings(SharedSettings(enrollment))
        if let state = enrollment.registrationState {
            lines.append(field("registration", "\(state.status.rawValue)\(state.assignedHub.map { " to \($0)" } ?? "")"))
        }
        return lines.joined(separator: "\n")
    }

    /// A readable summary of an enrollment group.
    static func summary(_ group: EnrollmentGroup) -> String {
        var lines = [field("enrollmentGroupId", group.enrollmentGroupId)]
        lines += attestation(group.attestation)
        lines += settings(SharedSettings(group))
        return lines.joined(separator: "\n")
    }

    /// A readable summary of a registration state.
    static func summary(_ state: DeviceRegistrationState) -> String {
        var lines = [
            field("registrationId", state.registrationId),
            field("status", state.status.rawValue + (state.substatus.map { " (\($0.rawValue))" } ?? "")),
        ]
        if let hub = state.assignedHub { lines.append(field("assignedHub", hub)) }
        if let deviceId = state.deviceId { lines.append(field("deviceId", deviceId)) }
        if let group = state.symmetricKey?.enrollmentGroupId ?? state.x509?.enrollmentGroupId {
            lines.append(field("enrollmentGroup", group))
        }
        if let subject = state.x509?.certificateInfo?.subjectName { lines.append(field("certificate", subject)) }
        if let code = state.errorCode { lines.append(field("error", "\(code) \(state.errorMessage ?? "")")) }
        if let created = state.createdDateTimeUtc { lines.append(field("created", created)) }
        if let updated = state.lastUpdatedDateTimeUtc { lines.append(field("updated", updated)) }
        if let etag = state.etag { lines.append(field("etag", etag)) }
        return lines.joined(separator: "\n")
    }

    /// `label:` padded so values line up.
    static func field(_ label: String, _ value: String) -> String {
        (label + ":").padding(toLength: max(20, label.count + 2), withPad: " ", startingAt: 0) + value
    }

    private static func attestation(_ mechanism: AttestationMechanism) -> [String] {
        var lines = [field("attestation", mechanism.type.rawValue)]
        if let keys = mechanism.symmetricKey {
            lines.append(field("  primaryKey", keys.primaryKey ?? "-"))
            lines.append(field("  secondaryKey", keys.secondaryKey ?? "-"))
        }
        if let tpm = mechanism.tpm {
            lines.append(field("  endorsementKey", tpm.endorsementKey))
            if let storageRootKey = tpm.storageRootKey { lines.append(field("  storageRootKey", storageRootKey)) }
        }
        if let x509 = mechanism.x509 {
            for (name, certificates) in [("client", x509.clientCertificates), ("signing", x509.signingCertificates)] {
                guard let certificates else { continue }
                for (slot, entry) in [("primary", certificates.primary), ("secondary", certificates.secondary)] {
                    guard let info = entry?.info else { continue }
                    lines.append(field("  \(name) \(slot)", "\(info.subjectName) (sha256 \(info.sha256Thumbprint), until \(info.notAfterUtc))"))
                }
            }
            if let references = x509.caReferences {
                lines.append(field("  caReferences", [references.primary, references.secondary].compactMap { $0 }.joined(separator: ", ")))
            }
        }
        return lines
    }

    private static func settings(_ settings: SharedSettings) -> [String] {
        var lines = [field("provisioningStatus", (settings.provisioningStatus ?? .enabled).rawValue)]
        lines.append(field("allocationPolicy", settings.allocationPolicy?.rawValue ?? "(the server's default)"))
        let hubs = (settings.iotHubs ?? []) + (settings.iotHubHostName.map { [$0] } ?? [])
        lines.append(field("iotHubs", hubs.isEmpty ? "(every linked hub)" : hubs.joined(separator: ", ")))
        if let webhook = settings.customAllocationDefinition?.webhookUrl { lines.append(field("webhookUrl", webhook)) }
        if settings.capabilities?.iotEdge == true { lines.append(field("iotEdge", "true")) }
        let policy = settings.reprovisionPolicy ?? ReprovisionPolicy()
        lines.append(field("reprovision", !policy.updateHubAssignment ? "never" : policy.migrateDeviceData ? "migrate" : "reset"))
        if let twin = settings.initialTwin, let text = try? compactJSON(twin) { lines.append(field("initialTwin", text)) }
        if let etag = settings.etag { lines.append(field("etag", etag)) }
        if let created = settings.created { lines.append(field("created", created)) }
        if let updated = settings.updated { lines.append(field("updated", updated)) }
        return lines
    }

    private static func compactJSON(_ value: JSONValue) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    /// What individual enrollments and groups have in common, for one summary layout.
    private struct SharedSettings {
        var provisioningStatus: ProvisioningStatus?
        var allocationPolicy: AllocationPolicyKind?
        var iotHubs: [String]?
        var iotHubHostName: String?
        var customAllocationDefinition: CustomAllocationDefinition?
        var capabilities: DeviceCapabilities?
        var reprovisionPolicy: ReprovisionPolicy?
        var initialTwin: JSONValue?
        var etag: String?
        var created: String?
        var updated: String?

        init(_ enrollment: IndividualEnrollment) {
            (provisioningStatus, allocationPolicy, iotHubs, iotHubHostName) =
                (enrollment.provisioningStatus, enrollment.allocationPolicy, enrollment.iotHubs, enrollment.iotHubHostName)
            (customAllocationDefinition, capabilities, reprovisionPolicy, initialTwin) =
                (enrollment.customAllocationDefinition, enrollment.capabilities, enrollment.reprovisionPolicy, enrollment.initialTwin)
            (etag, created, updated) = (enrollment.etag, enrollment.createdDateTimeUtc, enrollment.lastUpdatedDateTimeUtc)
        }

        init(_ group: EnrollmentGroup) {
            (provisioningStatus, allocationPolicy, iotHubs, iotHubHostName) =
                (group.provisioningStatus, group.allocationPolicy, group.iotHubs, group.iotHubHostName)
            (customAllocationDefinition, capabilities, reprovisionPolicy, initialTwin) =
                (group.customAllocationDefinition, group.capabilities, group.reprovisionPolicy, group.initialTwin)
            (etag, created, updated) = (group.etag, group.createdDateTimeUtc, group.lastUpdatedDateTimeUtc)
        }
    }
}
