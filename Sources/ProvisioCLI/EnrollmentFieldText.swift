import Foundation
import Provisioning

/// Enrollment fields given as text — command-line options and CSV cells — read into the DPS model.
///
/// Only the text is checked here; what the values mean (linked hubs, key lengths, twin shape) is the
/// `EnrollmentService`'s to judge. Messages never quote the refused text: in a CSV row with shifted columns it may be a key.
enum EnrollmentFieldText {
    /// `hashed`, `geoLatency`, `static` or `custom`, in any case.
    static func allocationPolicy(_ text: String) throws -> AllocationPolicyKind {
        guard let kind = AllocationPolicyKind.allCases.first(where: { $0.rawValue.lowercased() == text.lowercased() }) else {
            throw CLIError("unknown allocation policy: use \(AllocationPolicyKind.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        return kind
    }

    /// `migrate` (re-provision and migrate data, the default), `reset` (re-provision, reset to the initial twin) or `never`.
    static func reprovisionPolicy(_ text: String) throws -> ReprovisionPolicy {
        switch text.lowercased() {
        case "migrate": return ReprovisionPolicy(updateHubAssignment: true, migrateDeviceData: true)
        case "reset": return ReprovisionPolicy(updateHubAssignment: true, migrateDeviceData: false)
        case "never": return ReprovisionPolicy(updateHubAssignment: false, migrateDeviceData: false)
        default: throw CLIError("unknown reprovision policy: use migrate, reset or never")
        }
    }

    /// `enabled` or `disabled`.
    static func provisioningStatus(_ text: String) throws -> ProvisioningStatus {
        guard let status = ProvisioningStatus(rawValue: text.lowercased()) else {
            throw CLIError("unknown provisioning status: use enabled or disabled")
        }
        return status
    }

    /// `symmetricKey`, `x509` or `tpm`, in any case.

    static func attestationKind(_ text: String) throws -> AttestationMechanism.Kind {
        switch text.lowercased() {
        case "symmetrickey": return .symmetricKey
        case "x509": return .x509
        case "tpm": return .tpm
        case "": throw CLIError("attestation is required: symmetricKey, x509 or tpm")
        default: throw CLIError("unknown attestation: use symmetricKey, x509 or tpm")
        }
    }

    /// Any JSON text; the service checks that a twin is an object of the right shape.
    static func initialTwin(_ text: String) throws -> JSONValue {
        do {
            return try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        } catch {
            throw CLIError("initialTwin is not valid JSON")
        }
    }

    /// Host names separated by `;` (CSV) — blanks dropped; nil when none is left.
    static func hubList(_ text: String) -> [String]? {
        let hubs = text.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        return hubs.isEmpty ? nil : hubs
    }
}
