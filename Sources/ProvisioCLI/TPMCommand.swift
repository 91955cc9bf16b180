import ArgumentParser
import Foundation
import Provisioning

/// `provisio tpm …`: helpers for TPM attestation.
struct TPMCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tpm", abstract: "TPM attestation helpers.", subcommands: [RegistrationID.self, Bench.self])

    /// `provisio tpm registration-id --ek FILE`.
    struct RegistrationID: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "registration-id",
            abstract: "Print the default registration id of a TPM: lower-case Base32 of SHA-256 over its EK TPM2B_PUBLIC, unpadded.")
        @Option(name: .customLong("ek"), help: "The EK public area: a TPM2B_PUBLIC file (tpm2_createek -u) or its Base64 text.")
        var endorsementKey: String

        func run() async throws {
            try await CLIError.reporting {
                let area = try TPMCommand.endorsementKey(file: endorsementKey)
                if let problem = TPMKeyProfile.endorsementKeyProblem(area) {
                    FileHandle.standardError.write(Data("warning: the EK \(problem); enrollments will refuse it\n".utf8))
                }
                print(TPMRegistrationID.default(endorsementKey: area.sizedBytes))
            }
        }
    }

    /// Reads a `TPM2B_PUBLIC` file, binary or Base64.
    static func endorsementKey(file: String) throws -> TPMPublicArea {
        let contents: [UInt8]
        do {
            contents = Array(try Data(contentsOf: URL(fileURLWithPath: file)))
        } catch {
            throw CLIError("cannot read \(file): \(error.localizedDescription)")
        }
        if let area = try? TPMPublicArea(sizedBytes: contents, subject: file) { return area }
        let text = String(decoding: contents, as: UTF8.self).filter { !$0.isWhitespace }
        guard let decoded = Data(base64Encoded: text) else {
            // Report the binary parse error: that is the usual format.
            _ = try TPMPublicArea(sizedBytes: contents, subject: file)
            throw CLIError("\(file) is neither a TPM2B_PUBLIC nor its Base64 text")
        }
        return try TPMPublicArea(sizedBytes: Array(decoded), subject: file)
    }
}
