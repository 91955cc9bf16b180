import ArgumentParser
import Foundation
import PKI
#if canImport(Glibc)
import Glibc
#endif

/// The `provisio` command: the server and the tools around it.
@main
struct Provisio: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provisio",
        abstract: "Self-hosted device provisioning (Azure DPS compatible) with its own CA and bundled IoT hub shards.",
        subcommands: [Serve.self, CACommand.self, ConfigCommand.self, EnrollmentCommand.self, EnrollmentGroupCommand.self,
                      RegistrationCommand.self, DeviceCommand.self, TwinCommand.self, MethodCommand.self, CloudToDeviceCommand.self,
                      TPMCommand.self, EventsCommand.self, CertCommand.self, AuditCommand.self, FilesCommand.self]
    )

    /// Runs the command with its audit actor: `cli:<os user>` for tools, the server's own `system` for `serve`.
    static func main() async {
        let isServe = CommandLine.arguments.dropFirst().first == Serve._commandName
        let actor = isServe ? AuditActor.system : AuditActor.commandLine(user: operatingSystemUser())
        await AuditActor.$current.withValue(actor) {
            await Self.main(nil)
        }
    }

    /// The effective user's login name, else the uid.
    private static func operatingSystemUser() -> String {
        if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name { return String(cString: name) }
        return "uid-\(geteuid())"
    }
}

/// Options shared by commands that work on a data directory.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (database, CA, keys, TLS material).")
    var dataDirectory: String = "./provisio-data"
}
