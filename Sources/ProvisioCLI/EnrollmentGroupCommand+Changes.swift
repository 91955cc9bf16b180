import AccessControl
import ArgumentParser
import Foundation
import Provisioning

extension EnrollmentGroupCommand {
    /// `provisio enrollment-group update ID [--allocation-policy …] [--iot-hub …] …`: changes only what is given.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an enrollment group's settings (only the options given).")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Enrollment group id.") var groupId: String
        @OptionGroup var settings: EnrollmentSettingsOptions
        @Flag(help: "Print DPS-shaped JSON.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                guard !settings.isEmpty else { throw CLIError("nothing to change: give at least one setting (see --help)") }
                let store = try EnrollmentStore.open(data, configurationFile: settings.configurationFile)
                let updated = try await EnrollmentGroupCommand.edit(groupId, in: store) { try settings.applyChanges(to: &$0) }
                print(json ? try EnrollmentText.json(updated) : EnrollmentText.summary(updated))
            }
        }
    }

    /// `provisio enrollment-group enable ID`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let the group's devices register again.")
        @OptionGroup var arguments: EnrollmentStatusArguments

        func run() async throws {
            try await CLIError.reporting {
                _ = try await EnrollmentGroupCommand.edit(arguments.id, in: try arguments.store()) { $0.provisioningStatus = .enabled }
                print("enabled enrollment group \(arguments.id)")
            }
        }
    }

    /// `provisio enrollment-group disable ID`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the group's devices from registering; their open sessions are closed.")
        @OptionGroup var arguments: EnrollmentStatusArguments

        func run() async throws {
            try await CLIError.reporting {
                _ = try await EnrollmentGroupCommand.edit(arguments.id, in: try arguments.store()) { $0.provisioningStatus = .disabled }
                print("disabled enrollment group \(arguments.id)")
            }
        }
    }

    /// `provisio enrollment-group compute-device-key ID --registration-id R`: the key a member device derives
    /// (HMAC-SHA256 of the registration id under the group key), as `az iot dps enrollment-group compute-device-key`.
    struct ComputeDeviceKey: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "compute-device-key",
            abstract: "Print the symmetric key a member device derives from the group key for its registration id.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Enrollment group id.") var groupId: String
        @Option(name: .customLong("registration-id"), help: "The member device's registration id.") var registrationId: String
        @Flag(help: "Derive from the group's secondary key instead of the primary.") var secondary = false

        func run() async throws {
            try await CLIError.reporting {
                try RegistrationIdentifier.validate(registrationId)
                let attestation = try await EnrollmentStore.open(data).service.enrollmentGroupAttestation(id: groupId)
                guard attestation.type == .symmetricKey, let keys = attestation.symmetricKey else {
                    throw CLIError("enrollment group \(groupId) does not use symmetric keys")
                }
                guard let text = secondary ? keys.secondaryKey : keys.primaryKey else {
                    throw CLIError("enrollment group \(groupId) has no \(secondary ? "secondary" : "primary") key")
                }
                let groupKey = try SharedAccessKey(base64: text)
                print(groupKey.derived(for: registrationId).base64)
            }
        }
    }

    /// Reads the group (keys included), changes it and writes it back under its etag, so a concurrent change is
    /// refused rather than overwritten.
    static func edit(_ id: String, in store: EnrollmentStore,
                     _ change: (inout EnrollmentGroup) throws -> Void) async throws -> EnrollmentGroup {
        var group = try await store.service.enrollmentGroup(id: id)
        group.attestation = try await store.service.enrollmentGroupAttestation(id: id)
        try change(&group)
        return try await store.service.createOrUpdateEnrollmentGroup(id: id, group, ifMatch: group.etag)
    }
}
