import ArgumentParser
import Foundation
import Provisioning

extension EnrollmentCommand {
    /// `provisio enrollment update ID [--allocation-policy …] [--iot-hub …] [--device-id …] …`: changes only what is given.
    struct Update: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Change an individual enrollment's settings (only the options given).")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Registration id.") var registrationId: String
        @Option(name: .customLong("device-id"), help: "Device id on the hub.") var deviceId: String?
        @OptionGroup var settings: EnrollmentSettingsOptions
        @Flag(help: "Print DPS-shaped JSON.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                guard !settings.isEmpty || deviceId != nil else { throw CLIError("nothing to change: give at least one setting (see --help)") }
                let store = try EnrollmentStore.open(data, configurationFile: settings.configurationFile)
                let updated = try await EnrollmentCommand.edit(registrationId, in: store) { enrollment in
                    try settings.applyChanges(to: &enrollment)
                    if let deviceId { enrollment.deviceId = deviceId }
                }
                print(json ? try EnrollmentText.json(updated) : EnrollmentText.summary(updated))
            }
        }
    }

    /// `provisio enrollment enable ID`.
    struct Enable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Let the device register again.")
        @OptionGroup var arguments: EnrollmentStatusArguments

        func run() async throws {
            try await CLIError.reporting {
                _ = try await EnrollmentCommand.edit(arguments.id, in: try arguments.store()) { $0.provisioningStatus = .enabled }
                print("enabled enrollment \(arguments.id)")
            }
        }
    }

    /// `provisio enrollment disable ID`.
    struct Disable: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Stop the device from registering; its open sessions are closed.")
        @OptionGroup var arguments: EnrollmentStatusArguments

        func run() async throws {
            try await CLIError.reporting {
                _ = try await EnrollmentCommand.edit(arguments.id, in: try arguments.store()) { $0.provisioningStatus = .disabled }
                print("disabled enrollment \(arguments.id)")
            }
        }
    }

    /// Reads the enrollment (keys included), changes it and writes it back under its etag, so a concurrent change is
    /// refused rather than overwritten.
    static func edit(_ registrationId: String, in store: EnrollmentStore,
                     _ change: (inout IndividualEnrollment) throws -> Void) async throws -> IndividualEnrollment {
        var enrollment = try await store.service.individualEnrollment(registrationId: registrationId)
        enrollment.attestation = try await store.service.individualEnrollmentAttestation(registrationId: registrationId)
        enrollment.registrationState = nil
        try change(&enrollment)
        return try await store.service.createOrUpdateIndividualEnrollment(registrationId: enrollment.registrationId, enrollment,
                                                                           ifMatch: enrollment.etag)
    }
}
