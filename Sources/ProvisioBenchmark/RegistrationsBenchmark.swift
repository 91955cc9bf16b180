import ArgumentParser
import Foundation
import NIOSSL
import AccessControl

/// `provisio-bench registrations`: symmetric-key registrations over HTTPS keep-alive and over MQTT (a connection
/// per device), and X.509 registrations over HTTPS with a new TLS connection per device.
struct RegistrationsBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "registrations",
        abstract: "Registrations per second and register→assigned latency against a running server.")

    @Option(help: "The running server's connection.json.")
    var connection: String

    @Option(help: "Devices per phase.")
    var devices = 5_000

    @Option(help: "Concurrent clients.")
    var concurrency = 32

    @Option(help: "Devices for the X.509 phase (default: --devices).")
    var x509Devices: Int?

    @Option(help: "Phases to run, comma-separated: https, mqtt, x509.")
    var phases = "https,mqtt,x509"

    @Option(help: "The server's process id, to report its CPU use per phase.")
    var serverPid: Int32?

    @Option(help: "Directory for the fsync probe (default: the parent of connection.json's directory).")
    var fsyncDirectory: String?

    /// The issue's target for symmetric-key registrations on a 2-core machine.
    static let targetPerSecond = 1_000.0

    func run() async throws {
        let server = try ServerConnection.load(path: connection)
        let roots = try ClientTLS.roots(bundlePath: server.trustBundle)
        let tls = try ClientTLS.context(trusting: roots)
        let tag = RunTag.make()
        let selected = Set(phases.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        var report = BenchmarkReport(benchmark: "registrations", parameters: [
            "devices": "\(devices)", "concurrency": "\(concurrency)", "x509Devices": "\(x509Devices ?? devices)",
            "dps": "\(server.dps.host)", "hubs": "\(server.hubs.count)", "runTag": tag,
        ])

        let probeDirectory = fsyncDirectory
            ?? URL(fileURLWithPath: connection).deletingLastPathComponent().deletingLastPathComponent().path
        let probe = try FsyncProbe.run(directory: probeDirectory)
        report.rows.append(ResultRow(name: "fsync probe (4 KiB write+fsync)", operations: probe.latencies.count, failures: 0,
                                     elapsed: probe.elapsed, latencies: probe.latencies))

        let groups = EnrollmentGroupClient(connection: server, tls: tls)
        let groupKey = try await groups.createSymmetricKeyGroup(id: "bench-sym-\(tag)")
        let idScope = server.idScope

        if selected.contains("https") {
            progress("https: \(devices) symmetric-key devices over \(concurrency) keep-alive connections")
            // Warm-up on the same connections' path (not measured): code paths, statement caches, allocator.
            let warm = try await ConcurrentLoad.run(
                count: concurrency * 2, concurrency: concurrency, serverPID: nil,
                makeContext: { try await HTTPSConnection.open(host: server.dps.host, port: server.dps.httpsPort, tls: tls) },
                closeContext: { await $0.close() },
                register: { https, index in
                    let device = SymmetricKeyDevice(registrationId: "bench-\(tag)-warm-\(index)", groupKey: groupKey)
                    return try await HTTPSRegistration.register(over: https, idScope: idScope, registrationId: device.registrationId,
                                                                authorization: device.provisioningToken(idScope: idScope))
                })
            if warm.outcome.failures > 0 {
                throw BenchmarkError("warm-up registrations failed: \(warm.outcome.firstError ?? "?")")
            }
            let result = try await ConcurrentLoad.run(
                count: devices, concurrency: concurrency, serverPID: serverPid,
                makeContext: { try await HTTPSConnection.open(host: server.dps.host, port: server.dps.httpsPort, tls: tls) },
                closeContext: { await $0.close() },
                register: { https, index in
                    let device = SymmetricKeyDevice(registrationId: "bench-\(tag)-https-\(index)", groupKey: groupKey)
                    return try await HTTPSRegistration.register(over: https, idScope: idScope, registrationId: device.registrationId,
                                                                authorization: device.provisioningToken(idScope: idScope))
                })
            report.rows.append(row("symmetric key, HTTPS keep-alive", result))
            report.summary["httpsKeepAlivePerSecond"] = report.rows.last?.ratePerSecond
            report.notes.append("https hubs: \(describe(result.outcome.hubs))")
        }

        if selected.contains("mqtt") {
            progress("mqtt: \(devices) symmetric-key devices, one MQTT connection each, \(concurrency) at a time")
            let result = try await ConcurrentLoad.run(
                count: devices, concurrency: concurrency, serverPID: serverPid,
                makeContext: {}, closeContext: { _ in },
                register: { _, index in
                    let device = SymmetricKeyDevice(registrationId: "bench-\(tag)-mqtt-\(index)", groupKey: groupKey)
                    return try await MQTTRegistration.register(host: server.dps.host, port: server.dps.mqttPort, tls: tls, idScope: idScope,
                                                               registrationId: device.registrationId,
                                                               token: device.provisioningToken(idScope: idScope))
                })
            report.rows.append(row("symmetric key, MQTT connection/device", result))
            report.summary["mqttPerSecond"] = report.rows.last?.ratePerSecond
        }

        if selected.contains("x509") {
            let count = x509Devices ?? devices
            progress("x509: generating a CA and \(count) device certificates (not timed)")
            let authority = try TestCertificateAuthority(commonName: "provisio-bench-\(tag)")
            try await groups.createX509Group(id: "bench-x509-\(tag)", signingCertificatePEM: try authority.root.certificatePEM())
            let credentials = try (0..<count).map { index -> X509DeviceCredential in
                let id = "bench-\(tag)-x509-\(index)"
                let issued = try authority.issueDevice(registrationId: id)
                return X509DeviceCredential(
                    registrationId: id,
                    tls: try ClientTLS.context(trusting: roots, clientChain: [try issued.sslCertificate()], clientKey: try issued.sslKey()))
            }
            progress("x509: \(count) devices over HTTPS, a new TLS connection (client certificate) each, \(concurrency) at a time")
            let result = try await ConcurrentLoad.run(
                count: count, concurrency: concurrency, serverPID: serverPid,
                makeContext: {}, closeContext: { _ in },
                register: { _, index in
                    let credential = credentials[index]
                    let deviceStart = ContinuousClock.now
                    let https = try await HTTPSConnection.open(host: server.dps.host, port: server.dps.httpsPort, tls: credential.tls)
                    do {
                        let timing = try await HTTPSRegistration.register(over: https, idScope: idScope, registrationId: credential.registrationId,
                                                                          authorization: nil, startedAt: deviceStart)
                        await https.close()
                        return timing
                    } catch {
                        await https.close()
                        throw error
                    }
                })
            report.rows.append(row("X.509, HTTPS TLS connection/device", result))
            report.summary["x509PerSecond"] = report.rows.last?.ratePerSecond
        }

        if let rate = report.summary["httpsKeepAlivePerSecond"] {
            report.summary["targetPerSecond"] = Self.targetPerSecond
            report.summary["httpsKeepAliveVsTarget"] = rate / Self.targetPerSecond
            report.notes.append(rate >= Self.targetPerSecond
                ? "target met: \(Int(rate)) symmetric-key registrations/s ≥ \(Int(Self.targetPerSecond))"
                : "target missed: \(Int(rate)) symmetric-key registrations/s < \(Int(Self.targetPerSecond)) (\(Int((1 - rate / Self.targetPerSecond) * 100))% short)")
        }
        try report.emit()
    }

    private func row(_ name: String, _ result: ConcurrentLoad.Result) -> ResultRow {
        ResultRow(name: name, operations: result.outcome.completed, failures: result.outcome.failures, elapsed: result.elapsed,
                  latencies: result.outcome.latencies, totals: result.outcome.totals, cpu: result.cpu,
                  throttled: result.outcome.throttled, firstError: result.outcome.firstError)
    }

    private func describe(_ hubs: [String: Int]) -> String {
        hubs.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
    }
}
