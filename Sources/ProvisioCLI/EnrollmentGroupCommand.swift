import ArgumentParser
import Foundation
import Provisioning

/// `provisio enrollment-group …`: enrollment groups, written directly to the data directory's database.
struct EnrollmentGroupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrollment-group", abstract: "Manage enrollment groups (works while provisio serve runs).",
        subcommands: [Create.self, Show.self, List.self, Update.self, Enable.self, Disable.self, Delete.self, ComputeDeviceKey.self])

    /// `provisio enrollment-group create ID (--symmetric-key | --signing-cert FILE | --ca-ref NAME) …`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an enrollment group and print it, generated keys included.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "The enrollment group id.") var id: String?
        @Option(name: .customLong("group-id"), help: .hidden) var groupIdOption: String?
        @OptionGroup var symmetricKey: SymmetricKeyOptions
        @Option(name: .customLong("signing-cert"), help: "Attest with this CA or intermediate certificate (PEM or DER file).") var signingCertificate: String?
        @Option(name: .customLong("secondary-signing-cert"), help: "Secondary signing certificate (with --signing-cert).") var secondarySigningCertificate: String?
        @Option(name: .customLong("ca-ref"), help: "Attest with an uploaded CA certificate (see provisio ca upload).") var caReference: String?
        @Option(name: .customLong("secondary-ca-ref"), help: "Secondary uploaded CA certificate (with --ca-ref).") var secondaryCAReference: String?
        @OptionGroup var settings: EnrollmentSettingsOptions
        @Flag(help: "Print DPS-shaped JSON.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                let groupId = try CLIError.identifier(argument: id, option: groupIdOption, optionName: "--group-id", what: "an enrollment group id")
                var group = EnrollmentGroup(enrollmentGroupId: groupId, attestation: try attestation())
                try settings.values().apply(to: &group)
                let store = try EnrollmentStore.open(data, configurationFile: settings.configurationFile)
                // `create` never replaces: the service's PUT would.
                guard try await store.service.repository.enrollmentGroup(id: groupId) == nil else {
                    throw CLIError("an enrollment group '\(groupId)' already exists")
                }
                let created = try await store.service.createOrUpdateEnrollmentGroup(id: groupId, group, ifMatch: nil)
                print(json ? try EnrollmentText.json(created) : EnrollmentText.summary(created))
            }
        }

        /// Exactly one of the attestation options.
        private func attestation() throws -> AttestationMechanism {
            var chosen: [AttestationMechanism] = []
            if let mechanism = try symmetricKey.mechanism() { chosen.append(mechanism) }
            if let signingCertificate {
                let secondary = try secondarySigningCertificate.map { X509CertificateWithInfo(certificate: try CertificateFile.text($0)) }
                chosen.append(AttestationMechanism(type: .x509, x509: X509Attestation(signingCertificates: X509Certificates(
                    primary: X509CertificateWithInfo(certificate: try CertificateFile.text(signingCertificate)), secondary: secondary))))
            } else if secondarySigningCertificate != nil {
                throw CLIError("--secondary-signing-cert needs --signing-cert")
            }
            if let caReference {
                chosen.append(AttestationMechanism(type: .x509, x509: X509Attestation(
                    caReferences: X509CAReferences(primary: caReference, secondary: secondaryCAReference))))
            } else if secondaryCAReference != nil {
                throw CLIError("--secondary-ca-ref needs --ca-ref")
            }
            guard chosen.count == 1 else {
                throw CLIError("choose \(chosen.isEmpty ? "an" : "only one") attestation: --symmetric-key, --signing-cert FILE or --ca-ref NAME")
            }
            return chosen[0]
        }
    }

    /// `provisio enrollment-group show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an enrollment group, keys included.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Enrollment group id.") var groupId: String
        @Flag(help: "Print DPS-shaped JSON.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                let group = try await EnrollmentStore.open(data).service.enrollmentGroup(id: groupId)
                print(json ? try EnrollmentText.json(group) : EnrollmentText.summary(group))
            }
        }
    }

    /// `provisio enrollment-group list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List enrollment groups ordered by id.")
        @OptionGroup var data: DataDirectoryOptions
        @Flag(help: "Print a JSON array of DPS-shaped groups (keys included).") var json = false
        @Option(help: "Print at most N groups.") var limit: Int?

        func run() async throws {
            try await CLIError.reporting {
                let store = try EnrollmentStore.open(data)
                try await PagedListing<EnrollmentGroup>(json: json, limit: limit).run { page in
                    try await store.service.queryEnrollmentGroups(QuerySpecification(), page: page)
                } line: { group in
                    [group.enrollmentGroupId.padding(toLength: max(32, group.enrollmentGroupId.count + 1), withPad: " ", startingAt: 0),
                     group.attestation.type.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0),
                     (group.provisioningStatus ?? .enabled).rawValue].joined(separator: " ")
                }
            }
        }
    }

    /// `provisio enrollment-group delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an enrollment group (its devices' registration states stay).")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Enrollment group id.") var groupId: String

        func run() async throws {
            try await CLIError.reporting {
                try await EnrollmentStore.open(data).service.deleteEnrollmentGroup(id: groupId, ifMatch: nil)
                print("deleted enrollment group \(groupId)")
            }
        }
    }
}
