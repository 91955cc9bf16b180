import ArgumentParser
import Foundation
import MQTTCodec
import NIOCore
import NIOHTTP1

/// `provisio-bench twin-method`: reported-property patch round trips over MQTT, and direct-method round trips
/// from the hub service REST API through the device's MQTT connection and back.
struct TwinMethodBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "twin-method",
        abstract: "p50/p99 of twin reported-patch round trips (MQTT) and direct-method calls (REST → device → REST).")

    @Option(help: "The running server's connection.json.")
    var connection: String

    @Option(help: "Connected devices.")
    var devices = 8

    @Option(help: "Reported patches in total, spread over the devices (each device sends one at a time).")
    var patches = 4_000

    @Option(help: "Direct-method calls in total.")
    var calls = 2_000

    @Option(help: "Concurrent REST callers for direct methods (each calls one at a time).")
    var callers = 8

    @Option(help: "The server's process id, to report its CPU use.")
    var serverPid: Int32?

    func run() async throws {
        guard devices > 0, callers > 0 else { throw ValidationError("need devices > 0 and callers > 0") }
        let server = try ServerConnection.load(path: connection)
        let tls = try ClientTLS.context(trusting: try ClientTLS.roots(bundlePath: server.trustBundle))
        guard let shard = server.hubs.first else { throw BenchmarkError("the server has no hub shard") }
        let tag = RunTag.make()
        var report = BenchmarkReport(benchmark: "twin-method", parameters: [
            "devices": "\(devices)", "patches": "\(patches)", "calls": "\(calls)", "callers": "\(callers)",
            "shard": "\(shard.name)@\(shard.hostName)", "runTag": tag,
        ])
        progress("twin-method: provisioning \(devices) devices on \(shard.name) through DPS (not timed)")
        let provisioned = try await DeviceProvisioner.provision(
            count: devices, groupId: "bench-twin-\(tag)", idPrefix: "bench-\(tag)-twin", hub: shard, server: server, tls: tls)

        progress("twin-method: \(patches) reported patches from \(devices) devices")
        let twin = try await TwinPatchLoad.run(devices: provisioned, patches: patches, tls: tls, serverPID: serverPid)
        report.rows.append(ResultRow(name: "twin reported patch (MQTT)", operations: twin.outcome.completed,
                                     failures: twin.outcome.failures, elapsed: twin.elapsed, latencies: twin.outcome.latencies,
                                     cpu: twin.cpu, firstError: twin.outcome.firstError))

        progress("twin-method: \(calls) direct-method calls from \(callers) REST callers")
        switch try await DirectMethodLoad.run(devices: provisioned, calls: calls, callers: callers, shard: shard, tls: tls,
                                              serverPID: serverPid) {
        case .measured(let methods):
            report.rows.append(ResultRow(name: "direct method (REST→MQTT→REST)", operations: methods.outcome.completed,
                                         failures: methods.outcome.failures, elapsed: methods.elapsed,
                                         latencies: methods.outcome.latencies, cpu: methods.cpu, firstError: methods.outcome.firstError))
        case .unavailable(let reason):
            progress("twin-method: direct methods skipped: \(reason)")
            report.notes.append("direct methods skipped: \(reason)")
        }
        try report.emit()
    }
}
