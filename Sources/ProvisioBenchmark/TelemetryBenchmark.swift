import ArgumentParser
import Foundation
import MQTTCodec
import NIOCore

/// `provisio-bench telemetry`: QoS 1 telemetry throughput of a Provisio shard against mosquitto with the same load
/// generator, in the same run; with `--transports`, the shard's other device transports (MQTT-WS, HTTPS, AMQP) next to
/// its raw MQTT in every round.
struct TelemetryBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "telemetry",
        abstract: "QoS 1 telemetry messages/s of a Provisio shard (raw MQTT and, with --transports, MQTT-WS, HTTPS, AMQP) and of mosquitto, same load, same run.")

    @Option(help: "The running server's connection.json.")
    var connection: String

    @Option(help: "Devices (one MQTT connection each).")
    var devices = 100

    /// The Azure device SDK's own limit: azure-iot-device publishes through paho-mqtt, whose `max_inflight_messages`
    /// defaults to 20 and which the SDK does not change.
    @Option(help: "Unacknowledged messages per device (default: the Azure device SDK's, paho-mqtt's 20).")
    var window = 20

    @Option(help: "Messages per target and round, spread over the devices.")
    var messages = 200_000

    @Option(help: "Payload bytes.")
    var payload = 256

    @Option(help: "Rounds; each runs Provisio, then mosquitto.")
    var rounds = 1

    @Option(help: "The server's process id, to report its CPU use.")
    var serverPid: Int32?

    @Option(help: "The mosquitto executable.")
    var mosquitto = "mosquitto"

    @Option(help: "Loopback address for mosquitto (default: the DPS address with last octet 250).")
    var mosquittoHost: String?

    @Option(help: "Port for mosquitto's TLS listener.")
    var mosquittoPort = 8883

    @Flag(help: "Measure only Provisio.")
    var skipMosquitto = false

    @Flag(help: "Also measure MQTT over WebSockets (wss://{hub}:{httpsPort}/$iothub/websocket) with the same devices and load, right after raw MQTT in each round (same as --transports mqtt-ws).")
    var webSockets = false

    @Option(help: "Device transports measured after raw MQTT (the baseline) in each round, same devices and messages, comma-separated: mqtt-ws, https, amqp.")
    var transports = ""

    @Option(help: "HTTPS keep-alive connections per device (each sends one message per request, the next when the previous is answered).")
    var httpsConnectionsPerDevice = 4

    /// The issue's target: Provisio/mosquitto ≥ 1.0 with durability on.
    static let targetRatio = 1.0

    func run() async throws {
        guard devices > 0, window > 0, rounds > 0, messages >= devices, httpsConnectionsPerDevice > 0 else {
            throw ValidationError("need devices > 0, window > 0, rounds > 0, messages ≥ devices and https-connections-per-device > 0")
        }
        let others = try TelemetryTransport.parse(transports + (webSockets ? ",mqtt-ws" : ""))
        let server = try ServerConnection.load(path: connection)
        let roots = try ClientTLS.roots(bundlePath: server.trustBundle)
        let tls = try ClientTLS.context(trusting: roots)
        guard let shard = server.hubs.first else { throw BenchmarkError("the server has no hub shard") }
        let tag = RunTag.make()
        let brokerHost = mosquittoHost ?? Self.neighbour(of: server.dps.host, lastOctet: 250)
        var report = BenchmarkReport(benchmark: "telemetry", parameters: [
            "devices": "\(devices)", "window": "\(window)", "messages": "\(messages)", "payloadBytes": "\(payload)",
            "rounds": "\(rounds)", "shard": "\(shard.name)@\(shard.hostName)", "mosquitto": skipMosquitto ? "skipped" : "\(brokerHost):\(mosquittoPort)",
            "runTag": tag, "transports": (["mqtt"] + others.map(\.rawValue)).joined(separator: ","),
            "httpsConnectionsPerDevice": "\(httpsConnectionsPerDevice)",
        ])
        if others.contains(.amqp), shard.amqpPort == nil { throw BenchmarkError("\(shard.name) has no AMQP port in connection.json") }

        progress("telemetry: provisioning \(devices) devices on \(shard.name) through DPS (not timed)")
        let provisioned = try await DeviceProvisioner.provision(
            count: devices, groupId: "bench-tel-\(tag)", idPrefix: "bench-\(tag)-tel", hub: shard, server: server, tls: tls)

        var body = ByteBuffer()
        body.writeBytes((0..<payload).map { UInt8(truncatingIfNeeded: 0x20 + $0 % 90) })
        let perDevice = (0..<devices).map { messages / devices + ($0 < messages % devices ? 1 : 0) }

        var broker: MosquittoBroker?
        if !skipMosquitto {
            progress("telemetry: starting mosquitto on \(brokerHost):\(mosquittoPort) (TLS, persistence on)")
            broker = try await MosquittoBroker.start(executable: mosquitto, host: brokerHost, port: mosquittoPort)
        }
        do {
            var provisioTotals = (messages: 0, seconds: 0.0)
            var mosquittoTotals = (messages: 0, seconds: 0.0)
            var transportTotals: [TelemetryTransport: (messages: Int, seconds: Double)] = [:]
            var transportRoundRatios: [TelemetryTransport: [Double]] = [:]
            var roundRatios: [Double] = []
            for round in 1...rounds {
                progress("telemetry round \(round): Provisio \(shard.name), \(messages) messages")
                let members = provisioned.enumerated().map { index, device in
                    TelemetryFleet.Member(host: device.hub.hostName, port: device.hub.mqttPort, plan: TelemetryPlan(
                        connect: DeviceProvisioner.hubConnect(device), topic: "devices/\(device.deviceId)/messages/events/",
                        payload: body, messages: perDevice[index], window: window))
                }
                let provisio = try await TelemetryFleet.run(members: members, tls: tls, brokerPID: serverPid)
                report.rows.append(row("Provisio \(shard.name), round \(round)", provisio))
                provisioTotals.messages += provisio.messages
                provisioTotals.seconds += report.rows.last?.seconds ?? 0
                let provisioRoundRate = report.rows.last?.ratePerSecond ?? 0

                for transport in others {
                    progress("telemetry round \(round): Provisio \(shard.name) over \(transport.label), \(messages) messages")
                    let result: TelemetryFleet.Result
                    switch transport {
                    case .webSockets:
                        let overWebSockets = members.map { member in
                            var member = member
                            member.port = shard.httpsPort
                            member.webSocketPath = "/$iothub/websocket"
                            return member
                        }
                        result = try await TelemetryFleet.run(members: overWebSockets, tls: tls, brokerPID: serverPid)
                    case .https:
                        result = try await HTTPSTelemetryLoad.run(devices: provisioned, perDevice: perDevice, connectionsPerDevice: httpsConnectionsPerDevice,
                                                                  payload: body, tls: tls, serverPID: serverPid)
                    case .amqp:
                        result = try await AMQPTelemetryLoad.run(devices: provisioned, perDevice: perDevice, amqpPort: shard.amqpPort ?? 5671,
                                                                 window: window, payload: body, tls: tls, serverPID: serverPid)
                    }
                    report.rows.append(row("Provisio \(shard.name) \(transport.label), round \(round)", result))
                    let seconds = report.rows.last?.seconds ?? 0
                    transportTotals[transport, default: (0, 0)].messages += result.messages
                    transportTotals[transport, default: (0, 0)].seconds += seconds
                    if provisioRoundRate > 0, let rate = report.rows.last?.ratePerSecond {
                        transportRoundRatios[transport, default: []].append(rate / provisioRoundRate)
                    }
                }

                guard let broker else { continue }
                progress("telemetry round \(round): mosquitto, \(messages) messages")
                let brokerTLS = try ClientTLS.context(trusting: [broker.trustRoot])
                let baselineMembers = provisioned.enumerated().map { index, device in
                    TelemetryFleet.Member(host: broker.host, port: broker.port, plan: TelemetryPlan(
                        connect: MQTTConnect(cleanSession: false, keepAliveSeconds: 120, clientIdentifier: device.deviceId),
                        topic: "devices/\(device.deviceId)/messages/events/", payload: body, messages: perDevice[index], window: window))
                }
                let baseline = try await TelemetryFleet.run(members: baselineMembers, tls: brokerTLS, brokerPID: broker.pid)
                report.rows.append(row("mosquitto, round \(round)", baseline))
                mosquittoTotals.messages += baseline.messages
                mosquittoTotals.seconds += report.rows.last?.seconds ?? 0
                if let mosquittoRoundRate = report.rows.last?.ratePerSecond, mosquittoRoundRate > 0 {
                    roundRatios.append(provisioRoundRate / mosquittoRoundRate)
                }
            }
            let provisioRate = Double(provisioTotals.messages) / max(provisioTotals.seconds, 1e-9)
            report.summary["provisioPerSecond"] = provisioRate
            for transport in others {
                let totals = transportTotals[transport] ?? (0, 0)
                let rate = Double(totals.messages) / max(totals.seconds, 1e-9)
                let ratio = rate / max(provisioRate, 1e-9)
                report.summary["provisio\(transport.summaryKey)PerSecond"] = rate
                report.summary["ratio\(transport.summaryKey)ToMQTT"] = ratio
                let perRound = (transportRoundRatios[transport] ?? []).map { String(format: "%.3f", $0) }.joined(separator: ", ")
                let figure = "\(transport.label)/MQTT = \(String(format: "%.2f", ratio)) (rounds: \(perRound))"
                if let target = transport.targetRatio {
                    report.notes.append(ratio >= target ? "\(transport.label) target met: \(figure)" : "\(transport.label) target missed: \(figure) < \(target)")
                } else {
                    report.notes.append("\(transport.label) (no target): \(figure)")
                }
            }
            if broker != nil {
                let mosquittoRate = Double(mosquittoTotals.messages) / max(mosquittoTotals.seconds, 1e-9)
                report.summary["mosquittoPerSecond"] = mosquittoRate
                report.summary["ratioProvisioToMosquitto"] = provisioRate / mosquittoRate
                if !roundRatios.isEmpty {
                    report.summary["ratioMedianOfRounds"] = roundRatios.sorted()[roundRatios.count / 2]
                    report.notes.append("ratio per round (each round runs Provisio, then mosquitto, back to back): "
                        + roundRatios.map { String(format: "%.3f", $0) }.joined(separator: ", "))
                }
                report.summary["targetRatio"] = Self.targetRatio
                report.notes.append(provisioRate / mosquittoRate >= Self.targetRatio
                    ? "target met: Provisio/mosquitto = \(String(format: "%.2f", provisioRate / mosquittoRate))"
                    : "target missed: Provisio/mosquitto = \(String(format: "%.2f", provisioRate / mosquittoRate)) < \(Self.targetRatio)")
            }
            report.notes.append("Provisio PUBACKs after a SQLite commit (WAL, synchronous=FULL, group commit); mosquitto (persistence on) PUBACKs from memory and, with no subscriber, stores nothing — its persistence is a periodic snapshot")
            report.notes.append("srv CPU of a mosquitto row is mosquitto's CPU")
        } catch {
            broker?.stop()
            throw error
        }
        broker?.stop()
        try report.emit()
    }

    private func row(_ name: String, _ result: TelemetryFleet.Result) -> ResultRow {
        ResultRow(name: name, operations: result.messages, failures: result.failures, elapsed: result.elapsed,
                  latencies: result.latencies, cpu: result.cpu, firstError: result.firstError)
    }

    /// `a.b.c.d` → `a.b.c.{lastOctet}`.
    static func neighbour(of host: String, lastOctet: Int) -> String {
        let octets = host.split(separator: ".")
        guard octets.count == 4 else { return "127.0.0.\(lastOctet)" }
        return octets.prefix(3).joined(separator: ".") + ".\(lastOctet)"
    }
}
