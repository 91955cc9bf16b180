import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import NIOSSL

/// `provisio-bench jobs`: a scheduled twin-update job (jobs v2) over many registered, offline devices — devices
/// updated per second — against the service API's `PATCH /twins/{id}` rate in the same run. Devices are registered
/// with bulk `POST /devices` (100 per call; timed as its own row).
struct JobsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "jobs",
        abstract: "Twin-update job devices/s over registered devices vs PATCH /twins/{id} per second.")

    @Option(help: "The running server's connection.json.")
    var connection: String

    @Option(help: "Devices registered for the job (all offline).")
    var devices = 100_000

    @Option(help: "PATCH /twins/{id} requests for the baseline, spread over the devices.")
    var patches = 10_000

    @Option(help: "Concurrent REST callers (registration and the PATCH baseline), each with a keep-alive connection.")
    var callers = 8

    @Option(help: "The server's process id, to report its CPU use.")
    var serverPid: Int32?

    static let apiVersion = "2021-04-12"

    func run() async throws {
        guard devices > 0, callers > 0, patches > 0 else { throw ValidationError("need devices, patches and callers > 0") }
        let server = try ServerConnection.load(path: connection)
        let tls = try ClientTLS.context(trusting: try ClientTLS.roots(bundlePath: server.trustBundle))
        guard let shard = server.hubs.first else { throw BenchmarkError("the server has no hub shard") }
        let token = try ServiceCredential(connectionString: shard.serviceConnectionString).token()
        let tag = RunTag.make()
        let prefix = "bj-\(tag)-"
        let ids = (0..<devices).map { prefix + String(format: "%07d", $0) }
        var report = BenchmarkReport(benchmark: "jobs", parameters: [
            "devices": "\(devices)", "patches": "\(patches)", "callers": "\(callers)", "shard": "\(shard.name)@\(shard.hostName)",
            "runTag": tag,
        ])
        let open: @Sendable () async throws -> HTTPSConnection = {
            try await HTTPSConnection.open(host: shard.hostName, port: shard.httpsPort, tls: tls)
        }

        progress("jobs: registering \(devices) devices with bulk POST /devices (100 per call)")
        let chunks = stride(from: 0, to: ids.count, by: 100).map { Array(ids[$0..<min($0 + 100, ids.count)]) }
        let registration = try await ConcurrentLoad.runOperations(
            count: chunks.count, concurrency: callers, serverPID: serverPid, makeContext: open, closeContext: { await $0.close() },
            operation: { https, index in
                let body = "[" + chunks[index].map { #"{"id":"\#($0)","importMode":"create","authentication":{"type":"sas"}}"# }
                    .joined(separator: ",") + "]"
                let start = ContinuousClock.now
                let reply = try await https.send(.POST, "/devices?api-version=\(Self.apiVersion)", headers: [("Authorization", token)], json: body)
                guard reply.status == 200 else { throw BenchmarkError("bulk POST /devices answered \(reply.status): \(reply.text.prefix(200))") }
                return ContinuousClock.now - start
            })
        var registered = ResultRow(name: "bulk registry create (100/call)", operations: registration.outcome.completed * 100,
                                   failures: registration.outcome.failures, elapsed: registration.elapsed,
                                   latencies: registration.outcome.latencies, cpu: registration.cpu, firstError: registration.outcome.firstError)
        registered.operations = min(devices, registration.outcome.completed * 100)
        report.rows.append(registered)

        progress("jobs: \(patches) PATCH /twins/{id} from \(callers) callers")
        let baseline = try await ConcurrentLoad.runOperations(
            count: patches, concurrency: callers, serverPID: serverPid, makeContext: open, closeContext: { await $0.close() },
            operation: { https, index in
                let start = ContinuousClock.now
                let reply = try await https.send(.PATCH, "/twins/\(ids[index % ids.count])?api-version=\(Self.apiVersion)",
                                                 headers: [("Authorization", token), ("If-Match", "*")],
                                                 json: #"{"properties":{"desired":{"baseline":\#(index)}}}"#)
                guard reply.status == 200 else { throw BenchmarkError("PATCH /twins answered \(reply.status): \(reply.text.prefix(200))") }
                return ContinuousClock.now - start
            })
        report.rows.append(ResultRow(name: "PATCH /twins/{id} (service API)", operations: baseline.outcome.completed,
                                     failures: baseline.outcome.failures, elapsed: baseline.elapsed, latencies: baseline.outcome.latencies,
                                     cpu: baseline.cpu, firstError: baseline.outcome.firstError))

        progress("jobs: twin-update job over \(devices) devices")
        let job = try await runJob(id: "bench-\(tag)", prefix: prefix, token: token, open: open)
        report.rows.append(job)
        if let patchRate = report.rows.first(where: { $0.name.hasPrefix("PATCH") })?.ratePerSecond, patchRate > 0 {
            report.summary["jobDevicesPerSecondOverPatchRate"] = job.ratePerSecond / patchRate
        }
        report.notes.append("the job row's seconds run from PUT /jobs/v2 to the first GET that shows it completed (polled every 100 ms), including target selection")
        try report.emit()
    }

    /// Creates the job, polls it to its end, and returns its row (devices succeeded per second of wall time).
    private func runJob(id: String, prefix: String, token: String, open: @Sendable () async throws -> HTTPSConnection) async throws -> ResultRow {
        let https = try await open()
        do {
            let row = try await runJob(id: id, prefix: prefix, token: token, over: https)
            await https.close()
            return row
        } catch {
            await https.close()
            throw error
        }
    }

    private func runJob(id: String, prefix: String, token: String, over https: HTTPSConnection) async throws -> ResultRow {
        let condition = "deviceId >= '\(prefix)' AND deviceId < '\(prefix.dropLast()).'"
        let request = #"{"jobId":"\#(id)","type":"scheduleUpdateTwin","queryCondition":"\#(condition)","maxExecutionTimeInSeconds":3600,"updateTwin":{"etag":"*","properties":{"desired":{"jobWave":1}}}}"#
        let start = ContinuousClock.now
        let created = try await https.send(.PUT, "/jobs/v2/\(id)?api-version=\(Self.apiVersion)", headers: [("Authorization", token)], json: request)
        guard created.status == 200 else { throw BenchmarkError("PUT /jobs/v2 answered \(created.status): \(created.text.prefix(300))") }
        while true {
            try await Task.sleep(for: .milliseconds(100))
            let reply = try await https.send(.GET, "/jobs/v2/\(id)?api-version=\(Self.apiVersion)", headers: [("Authorization", token)])
            guard reply.status == 200 else { throw BenchmarkError("GET /jobs/v2 answered \(reply.status): \(reply.text.prefix(300))") }
            let document = try JSONSerialization.jsonObject(with: Data(reply.text.utf8)) as? [String: Any] ?? [:]
            let status = document["status"] as? String ?? ""
            guard ["completed", "failed", "cancelled"].contains(status) else { continue }
            let statistics = document["deviceJobStatistics"] as? [String: Any] ?? [:]
            let succeeded = statistics["succeededCount"] as? Int ?? 0
            let failed = statistics["failedCount"] as? Int ?? 0
            return ResultRow(name: "twin-update job (jobs v2, \(status))", operations: succeeded, failures: failed,
                             elapsed: ContinuousClock.now - start, latencies: LatencySamples())
        }
    }
}
