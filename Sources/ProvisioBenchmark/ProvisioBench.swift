import ArgumentParser

/// `provisio-bench`: load generators that measure a running Provisio server (and, for telemetry, mosquitto as the
/// baseline in the same run). Each prints a table and one JSON line.
@main
struct ProvisioBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "provisio-bench",
        abstract: "Performance benchmarks of a running Provisio server.",
        subcommands: [RegistrationsBenchmark.self, TelemetryBenchmark.self, TwinMethodBenchmark.self, PKIBenchmark.self, AMQPBenchmark.self,
                      FileUploadBenchmark.self, JobsBenchmark.self, QueryBenchmark.self])
}
