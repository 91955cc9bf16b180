import ArgumentParser
import Foundation
import PKI
import ProvisioServer
import Storage
import SwiftASN1
import X509

/// `provisio ca …`: inspect the CA and issue certificates from CSRs.
struct CACommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ca", abstract: "Inspect the certificate authority and issue certificates.",
        subcommands: [Show.self, Issue.self, Upload.self, VerificationCode.self, Verify.self, List.self, Rotate.self, Retire.self])

    /// `provisio ca show`.
    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Print the CA hierarchy.")
        @OptionGroup var data: DataDirectoryOptions

        func run() async throws {
            let hierarchy = try await openHierarchy(data)
            print(hierarchy.describe())
        }
    }

    /// `provisio ca issue --csr FILE --profile NAME`.
    struct Issue: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Issue a certificate from a PKCS#10 CSR and print the PEM chain (leaf first).")
        @OptionGroup var data: DataDirectoryOptions
        @Option(help: "CSR file, PEM or DER.") var csr: String
        @Option(help: "Certificate profile (see CA/).") var profile: String = "device-client"
        @Option(name: .customLong("device-id"), help: "Device the certificate belongs to, for the inventory.") var deviceId: String?

        func run() async throws {
            let bytes: Data
            do {
                bytes = try Data(contentsOf: URL(fileURLWithPath: csr))
            } catch {
                throw CLIError("cannot read \(csr): \(error.localizedDescription)")
            }
            let request: CertificateSigningRequest
            do {
                if let text = String(data: bytes, encoding: .utf8), text.contains("-----BEGIN") {
                    request = try CertificateSigningRequest(pemEncoded: text)
                } else {
                    request = try CertificateSigningRequest(derEncoded: Array(bytes))
                }
            } catch {
                throw CLIError("\(csr) is not a PKCS#10 certificate signing request")
            }
            let chosen: CertificateProfile
            do {
                chosen = try ProfileCatalog.builtIn.profile(named: profile)
            } catch {
                throw CLIError("unknown profile \(profile); known: \(ProfileCatalog.builtIn.names.joined(separator: ", "))")
            }
            let hierarchy = try await openHierarchy(data)
            do {
                let chain = try await hierarchy.issue(csr: request, profile: chosen, deviceId: deviceId, enrollmentId: nil, now: Date())
                for certificate in chain {
                    print(try certificate.serializeAsPEM().pemString)
                }
            } catch {
                throw CLIError("cannot issue: \(error)")
            }
        }
    }
}

/// Loads the CA generation active now in an existing data directory (it is created by `provisio serve`).
func openHierarchy(_ options: DataDirectoryOptions) async throws -> CAHierarchy {
    let (rotation, directory) = try openRotation(options)
    let now = Date()
    let active = try await rotation.load(now: now).active(at: now)
    var hierarchy = try CAHierarchy(root: active.root, issuing: active.issuing, configuration: rotation.configuration,
                                    inventory: rotation.inventory)
    // The server records where it publishes CRLs and OCSP; certificates issued here point there too.
    let database = try ProvisioDatabase(path: directory.database.path)
    if let baseURL = try database.setting(ProvisioDatabase.revocationBaseURLSetting) {
        hierarchy.revocationEndpoints = RevocationEndpoints(baseURL: baseURL)
    }
    return hierarchy
}
