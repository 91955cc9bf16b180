import ArgumentParser

/// The `provisio` command: the server and the tools around it.
@main
struct Provisio: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provisio",
        abstract: "Self-hosted device provisioning (Azure DPS compatible) with its own CA and bundled IoT hub shards.",
        subcommands: [Serve.self, CACommand.self, ConfigCommand.self, EnrollmentCommand.self, EnrollmentGroupCommand.self,
                      RegistrationCommand.self, DeviceCommand.self, TwinCommand.self, MethodCommand.self, CloudToDeviceCommand.self,
                      TPMCommand.self, EventsCommand.self, CertCommand.self]
    )
}

/// Options shared by commands that work on a data directory.
struct DataDirectoryOptions: ParsableArguments {
    @Option(name: .customLong("data-dir"), help: "Data directory (database, CA, keys, TLS material).")
    var dataDirectory: String = "./provisio-data"
}
