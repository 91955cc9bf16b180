import ArgumentParser
import Provisioning

extension CACommand {
    /// `provisio ca upload NAME --cert FILE`: uploads a CA certificate that group enrollments can reference.
    struct Upload: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Upload a CA certificate for enrollment groups (--ca-ref NAME).")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Name enrollment groups use to reference it.") var name: String
        @Option(name: .customLong("cert"), help: "The CA certificate (PEM or DER file; basicConstraints CA:TRUE).") var certificate: String

        func run() async throws {
            try await CLIError.reporting {
                let text = try CertificateFile.text(certificate)
                let details = try await EnrollmentStore.open(data).service.uploadCACertificate(name: name, certificate: text, ifMatch: nil)
                print(CACommand.summary(details))
                if !details.record.isVerified {
                    print("next: provisio ca verification-code \(name), then provisio ca verify \(name) --cert FILE with a certificate for CN=<code> signed by this CA")
                }
            }
        }
    }

    /// `provisio ca verification-code NAME`: prints a fresh proof-of-possession code.
    struct VerificationCode: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "verification-code", abstract: "Generate and print the code an uploaded CA must sign (as a leaf's CN) to prove possession.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Uploaded CA certificate name.") var name: String

        func run() async throws {
            try await CLIError.reporting {
                let details = try await EnrollmentStore.open(data).service.generateVerificationCode(name: name, ifMatch: nil)
                print(details.record.verificationCode ?? "")
            }
        }
    }

    /// `provisio ca verify NAME --cert FILE`: completes proof of possession.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Verify an uploaded CA with a certificate it signed for CN=<verification code>.")
        @OptionGroup var data: DataDirectoryOptions
        @Argument(help: "Uploaded CA certificate name.") var name: String
        @Option(name: .customLong("cert"), help: "The verification certificate (PEM or DER file).") var certificate: String

        func run() async throws {
            try await CLIError.reporting {
                let text = try CertificateFile.text(certificate)
                let details = try await EnrollmentStore.open(data).service.verifyCACertificate(name: name, certificate: text, ifMatch: nil)
                print(CACommand.summary(details))
            }
        }
    }

    /// Name, subject, thumbprint, validity and verification state of an uploaded CA certificate.
    static func summary(_ details: CACertificateDetails) -> String {
        [
            EnrollmentText.field("name", details.record.name),
            EnrollmentText.field("subject", details.info.subjectName),
            EnrollmentText.field("sha256Thumbprint", details.info.sha256Thumbprint),
            EnrollmentText.field("notAfter", details.info.notAfterUtc),
            EnrollmentText.field("verified", details.record.isVerified ? "yes" : "no"),
        ].joined(separator: "\n")
    }
}
