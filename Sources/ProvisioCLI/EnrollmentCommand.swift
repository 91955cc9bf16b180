import ArgumentParser
import Foundation
import Provisioning

/// `provisio enrollment …`: individual enrollments, written directly to the data directory's database.
struct EnrollmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "enrollment", abstract: "Manage individual enrollments (works while provisio serve runs).",
        subcommands: [Create.self, Show.self, List.self, Update.self, Enable.self, Disable.self, Delete.self, Import.self])

    /// `provisio enrollment create ID (--symmetric-key | --x509-cert FILE | --tpm-ek B64) …`.
    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Create an individual enrollment and print it, generated keys included.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "The registration id the device presents.") var id: String?
        @Option(name: .customLong("registration-id"), help: .hidden) var registrationIdOption: String?
        @Option(name: .customLong("device-id"), help: "Device id on the hub (default: the registration id).") var deviceId: String?
        @OptionGroup var symmetricKey: SymmetricKeyOptions
        @Option(name: .customLong("x509-cert"), help: "Attest with this device certificate (PEM or DER file).") var x509Certificate: String?
        @Option(name: .customLong("x509-secondary-cert"), help: "Secondary device certificate (with --x509-cert).") var x509SecondaryCertificate: String?
        @Option(name: .customLong("tpm-ek"), help: "Attest with this TPM endorsement key (Base64).") var endorsementKey: String?
        @Option(name: .customLong("tpm-srk"), help: "The TPM's storage root key (Base64, with --tpm-ek).") var storageRootKey: String?
        @OptionGroup var settings: EnrollmentSettingsOptions
        @Flag(help: "Print DPS-shaped JSON.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                let registrationId = try CLIError.identifier(argument: id, option: registrationIdOption, optionName: "--registration-id",
                                                             what: "a registration id")
                var enrollment = IndividualEnrollment(registrationId: registrationId, attestation: try attestation())
                enrollment.deviceId = deviceId
                try settings.values().apply(to: &enrollment)
                let store = try EnrollmentStore.open(data, configurationFile: settings.configurationFile)
                // The bulk `create` mode carries the service's rule that an existing enrollment is a conflict.
                let result = try await store.service.runBulkOperation(BulkEnrollmentOperation(enrollments: [enrollment], mode: .create))
                if let failure = result.errors.first { throw CLIError(failure.errorStatus) }
                let created = try await store.service.individualEnrollment(registrationId: registrationId)
                print(json ? try EnrollmentText.json(created) : EnrollmentText.summary(created))
            }
        }

        /// Exactly one of the attestation options.
        private func attestation() throws -> AttestationMechanism {
            var chosen: [AttestationMechanism] = []
            if let mechanism = try symmetricKey.mechanism() { chosen.append(mechanism) }
            if let x509Certificate {
                let secondary = try x509SecondaryCertificate.map { X509CertificateWithInfo(certificate: try CertificateFile.text($0)) }
                chosen.append(AttestationMechanism(type: .x509, x509: X509Attestation(clientCertificates: X509Certificates(
                    primary: X509CertificateWithInfo(certificate: try CertificateFile.text(x509Certificate)), secondary: secondary))))
            } else if x509SecondaryCertificate != nil {
                throw CLIError("--x509-secondary-cert needs --x509-cert")
            }
            if let endorsementKey {
                chosen.append(AttestationMechanism(type: .tpm, tpm: TPMAttestation(endorsementKey: endorsementKey, storageRootKey: storageRootKey)))
            } else if storageRootKey != nil {
                throw CLIError("--tpm-srk needs --tpm-ek")
            }
            guard chosen.count == 1 else {
                throw CLIError("choose \(chosen.isEmpty ? "an" : "only one") attestation: --symmetric-key, --x509-cert FILE or --tpm-ek B64")
            }
            return chosen[0]
        }
    }

    /// `provisio enrollment show ID`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print an individual enrollment, keys included.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Registration id.") var registrationId: String
        @Flag(help: "Print DPS-shaped JSON.") var json = false

        func run() async throws {
            try await CLIError.reporting {
                let enrollment = try await EnrollmentStore.open(data).service.individualEnrollment(registrationId: registrationId)
                print(json ? try EnrollmentText.json(enrollment) : EnrollmentText.summary(enrollment))
            }
        }
    }

    /// `provisio enrollment list`.
    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "List individual enrollments ordered by registration id.")
        @OptionGroup var data: DataDirectoryOptions
        @Flag(help: "Print a JSON array of DPS-shaped enrollments (keys included).") var json = false
        @Option(help: "Print at most N enrollments.") var limit: Int?

        func run() async throws {
            try await CLIError.reporting {
                let store = try EnrollmentStore.open(data)
                let printed = try await PagedListing<IndividualEnrollment>(json: json, limit: limit).run { page in
                    try await store.service.queryIndividualEnrollments(QuerySpecification(), page: page)
                } line: { enrollment in
                    [enrollment.registrationId.padding(toLength: max(32, enrollment.registrationId.count + 1), withPad: " ", startingAt: 0),
                     enrollment.attestation.type.rawValue.padding(toLength: 13, withPad: " ", startingAt: 0),
                     (enrollment.provisioningStatus ?? .enabled).rawValue.padding(toLength: 9, withPad: " ", startingAt: 0),
                     enrollment.deviceId ?? ""].joined(separator: " ").trimmingCharacters(in: .whitespaces)
                }
                if !json {
                    let total = try await store.service.repository.individualEnrollmentCount()
                    print("(\(printed) of \(total) enrollment\(total == 1 ? "" : "s"))")
                }
            }
        }
    }

    /// `provisio enrollment delete ID`.
    struct Delete: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Delete an individual enrollment (its registration state stays).")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Registration id.") var registrationId: String

        func run() async throws {
            try await CLIError.reporting {
                try await EnrollmentStore.open(data).service.deleteIndividualEnrollment(registrationId: registrationId, ifMatch: nil)
                print("deleted enrollment \(registrationId)")
            }
        }
    }
}
