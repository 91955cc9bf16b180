import ArgumentParser
import Provisioning

/// `provisio registration …`: device registration states.
struct RegistrationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registration", abstract: "Inspect or delete device registration states.",
        subcommands: [Show.self, Delete.self])

    /// `provisio registration show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print a device's registration state.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Registration id.") var registrationId: String
        @Flag(help: "Print DPS-shaped JSON.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                let state = try await EnrollmentStore.open(data).service.registrationState(registrationId: registrationId)
                print(json ? try EnrollmentText.json(state) : EnrollmentText.summary(state))
            }
        }
    }

    /// `provisio registration delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete a registration state, so the device's next registration counts as initial.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Registration id.") var registrationId: String

        func run() async throws {
            try await CLIError.reporting {
                try await EnrollmentStore.open(data).service.deleteRegistrationState(registrationId: registrationId, ifMatch: nil)
                print("deleted registration state \(registrationId)")
            }
        }
    }
}
