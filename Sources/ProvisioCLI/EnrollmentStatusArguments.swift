import ArgumentParser

/// What `enable` and `disable` take, for individual enrollments and groups alike.
struct EnrollmentStatusArguments: ParsableArguments {
    @OptionGroup var data: DataDirectoryOptions
    @Argument(help: "The registration id (enrollment) or enrollment group id.") var id: String
    @Option(name: .customLong("config"),
            help: "The server configuration, for the linked hubs the record names (default: the running server's connection.json).")
    var configurationFile: String?

    /// The data directory's enrollment store.
    func store() throws -> EnrollmentStore {
        try EnrollmentStore.open(data, configurationFile: configurationFile)
    }
}
