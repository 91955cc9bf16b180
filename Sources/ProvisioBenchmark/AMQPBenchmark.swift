import AMQPCodec
import AccessControl
import ArgumentParser
import Foundation
import NIOCore
import NIOSSL

/// `provisio-bench amqp`: the AMQP side of a shard, each figure next to its baseline in the same run — an Event Hubs
/// consumer of the built-in endpoint keeping up with QoS 1 telemetry (ingest rate, consumer rate, PUBACK → receipt
/// latency), C2D sends over the service link (accepted messages/s, each durable before its disposition), and memory
/// per idle AMQP connection next to MQTT's.
struct AMQPBenchmark: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "amqp",
        abstract: "Built-in endpoint consumer vs ingest, C2D over AMQP, idle AMQP connection memory vs MQTT.")

    @Option(help: "The running server's connection.json.")
    var connection: String

    @Option(help: "Publishing devices (one MQTT connection each).")
    var devices = 50

    @Option(help: "Telemetry messages, spread over the devices.")
    var messages = 100_000

    @Option(help: "Unacknowledged messages per device.")
    var window = 20

    @Option(help: "Total telemetry rate in messages/s during the consumer run (0: as fast as PUBACKs allow).")
    var rate = 10_000.0

    @Option(help: "C2D messages sent over the AMQP service link.")
    var c2d = 20_000

    @Option(help: "C2D deliveries in flight (unsettled) at once.")
    var c2dWindow = 500

    @Option(help: "Idle connections per protocol for the memory comparison (0 skips it).")
    var idleConnections = 500

    @Option(help: "The server's process id: CPU use and, for the memory comparison, its resident set.")
    var serverPid: Int32?

    /// IoT Hub's C2D queue depth per device.
    enum CloudToDeviceQueueDepth {
        static let perDevice = 50
    }

    /// The AMQP issue's targets.
    static let latencyTargetMilliseconds = 50.0
    static let c2dTargetPerSecond = 5_000.0

    func run() async throws {
        let server = try ServerConnection.load(path: connection)
        let tls = try ClientTLS.context(trusting: try ClientTLS.roots(bundlePath: server.trustBundle))
        guard let shard = server.hubs.first, let amqpPort = shard.amqpPort, let eventHubs = shard.eventHubsConnectionString else {
            throw BenchmarkError("the server's first hub has no AMQP port or Event Hubs connection string")
        }
        let tag = RunTag.make()
        var report = BenchmarkReport(benchmark: "amqp", parameters: [
            "devices": "\(devices)", "messages": "\(messages)", "window": "\(window)", "rate": "\(rate)", "c2d": "\(c2d)", "c2dWindow": "\(c2dWindow)",
            "idleConnections": "\(idleConnections)", "shard": "\(shard.name)@\(shard.hostName):\(amqpPort)", "runTag": tag,
        ])
        // IoT Hub queues at most 50 C2D messages per device: the C2D run spreads its messages so none is refused as full.
        let deviceCount = max(devices, idleConnections, (c2d + CloudToDeviceQueueDepth.perDevice - 1) / CloudToDeviceQueueDepth.perDevice)
        progress("amqp: provisioning \(deviceCount) devices on \(shard.name) (not timed)")
        let everyDevice = try await DeviceProvisioner.provision(
            count: deviceCount, groupId: "bench-amqp-\(tag)", idPrefix: "bench-\(tag)-amqp", hub: shard, server: server, tls: tls)

        let provisioned = Array(everyDevice.prefix(devices))
        let credential = try EventHubsCredential(connectionString: eventHubs)
        try await consumerRun(shard: shard, amqpPort: amqpPort, credential: credential, provisioned: provisioned, tls: tls, report: &report)
        let service = try ServiceCredential(connectionString: shard.serviceConnectionString)
        try await c2dRun(shard: shard, amqpPort: amqpPort, service: service, provisioned: everyDevice, tls: tls, report: &report)
        if idleConnections > 0, let serverPid {
            try await memoryRun(shard: shard, amqpPort: amqpPort, credential: credential, provisioned: Array(everyDevice.prefix(idleConnections)), tls: tls,
                                serverPid: serverPid, report: &report)
        }
        try report.emit()
    }

    /// Devices publish while one AMQP connection reads every partition of the built-in endpoint from `@latest`.
    private func consumerRun(shard: ServerConnection.Hub, amqpPort: Int, credential: EventHubsCredential, provisioned: [ProvisionedDevice],
                             tls: NIOSSLContext, report: inout BenchmarkReport) async throws {
        var body = ByteBuffer()
        body.writeBytes((0..<256).map { UInt8(truncatingIfNeeded: 0x20 + $0 % 90) })
        let perDevice = (0..<devices).map { messages / devices + ($0 < messages % devices ? 1 : 0) }
        let logs = perDevice.enumerated().map { AcknowledgementLog(deviceIndex: UInt32($0.offset), messages: $0.element) }
        let expected = messages
        let ready = AsyncStream<Void>.makeStream()
        let consumer = Task { () throws -> ConsumerResult in
            try await AMQPBenchClient.with(host: shard.hostName, port: amqpPort, tls: tls) { client in
                try await Self.consume(&client, shard: shard, credential: credential, expected: expected, ready: ready.continuation)
            }
        }
        var iterator = ready.stream.makeAsyncIterator()
        _ = await iterator.next()
        progress("amqp: consumer attached to every partition; \(devices) devices publish \(messages) messages")
        let members = provisioned.enumerated().map { index, device in
            TelemetryFleet.Member(host: device.hub.hostName, port: device.hub.mqttPort, plan: TelemetryPlan(
                connect: DeviceProvisioner.hubConnect(device), topic: "devices/\(device.deviceId)/messages/events/",
                payload: body, messages: perDevice[index], window: window, acknowledgements: logs[index],
                messagesPerSecond: rate > 0 ? rate / Double(devices) : nil))
        }
        let ingestStart = NIODeadline.now().uptimeNanoseconds
        let ingest = try await TelemetryFleet.run(members: members, tls: tls, brokerPID: serverPid)
        // Events still on their way get 30 s; then the consumer stops and reports what arrived.
        let watchdog = Task {
            try await Task.sleep(for: .seconds(30))
            consumer.cancel()
        }
        let result = try await consumer.value
        watchdog.cancel()
        report.rows.append(ResultRow(name: "devices publish (QoS 1, PUBACK after commit)", operations: ingest.messages,
                                     failures: ingest.failures, elapsed: ingest.elapsed, latencies: ingest.latencies, cpu: ingest.cpu,
                                     firstError: ingest.firstError))
        var latencies = LatencySamples()
        for (device, number, received) in result.receipts where Int(device) < logs.count && Int(number) < logs[Int(device)].times.count {
            let acknowledged = logs[Int(device)].times[Int(number)]
            latencies.add(nanoseconds: acknowledged > 0 && received > acknowledged ? Int64(received - acknowledged) : 0)
        }
        let consumed = Duration.nanoseconds(Int64(result.lastReceipt &- ingestStart))
        report.rows.append(ResultRow(name: "consumer reads built-in endpoint (PUBACK → receipt)", operations: result.receipts.count,
                                     failures: expected - result.receipts.count, elapsed: consumed, latencies: latencies))
        let ingestRate = report.rows[report.rows.count - 2].ratePerSecond
        let consumerRate = report.rows[report.rows.count - 1].ratePerSecond
        report.summary["ingestPerSecond"] = ingestRate
        report.summary["consumerPerSecond"] = consumerRate
        report.summary["ratioConsumerToIngest"] = ingestRate > 0 ? consumerRate / ingestRate : 0
        if let p99 = latencies.percentileMilliseconds(0.99) {
            report.summary["pubackToReceiptP99Milliseconds"] = p99
            report.notes.append(p99 < Self.latencyTargetMilliseconds
                ? "latency target met: PUBACK → consumer receipt p99 \(String(format: "%.1f", p99)) ms < \(Self.latencyTargetMilliseconds) ms at \(Int(ingestRate)) msg/s"
                : "latency target missed: p99 \(String(format: "%.1f", p99)) ms ≥ \(Self.latencyTargetMilliseconds) ms at \(Int(ingestRate)) msg/s")
        }
    }

    struct ConsumerResult: Sendable {
        var receipts: [(UInt32, UInt32, UInt64)]
        var lastReceipt: UInt64
    }

    /// CBS, `$management` READ for the partitions, one receiver per partition from `@latest`, then read until
    /// `expected` stamped events arrived (or 60 s passed without one).
    private static func consume(_ client: inout AMQPBenchClient, shard: ServerConnection.Hub, credential: EventHubsCredential,
                                expected: Int, ready: AsyncStream<Void>.Continuation) async throws -> ConsumerResult {
        let audience = "sb://\(shard.hostName)/\(credential.entityPath)"
        try await client.putToken(audience: audience, token: credential.token(audience: audience))
        let partitions = try await Self.partitionIds(&client, credential: credential, audience: audience)
        var handles: [UInt32: (received: UInt32, credit: UInt32)] = [:]
        let credit: UInt32 = 300
        for partition in partitions {
            let filter: AMQPMap = [.symbol("apache.org:selector-filter:string"): .described(
                descriptor: .symbol("apache.org:selector-filter:string"), value: .string("amqp.annotation.x-opt-offset > '@latest'"))]
            let handle = try await client.attach(role: .receiver, address: "amqps://\(shard.hostName)/\(credential.entityPath)/ConsumerGroups/$Default/Partitions/\(partition)",
                                                 filter: filter)
            try await client.send(client.flow(handle: handle, deliveryCount: 0, credit: credit))
            handles[handle] = (0, credit)
        }
        ready.yield()
        ready.finish()
        var receipts: [(UInt32, UInt32, UInt64)] = []
        receipts.reserveCapacity(expected)
        var last: UInt64 = 0
        while receipts.count < expected {
            let performative: AMQPPerformative
            let payload: ByteBuffer
            do {
                (performative, payload) = try await client.next()
            } catch where Task.isCancelled {
                break  // the watchdog gave up waiting: report what arrived
            }
            guard case .transfer(let transfer) = performative, var state = handles[transfer.handle] else { continue }
            let now = NIODeadline.now().uptimeNanoseconds
            last = now
            if let message = try? AMQPMessage(decoding: payload), let bytes = message.body.bytes, bytes.count >= 8 {
                let device = bytes[0..<4].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                let number = bytes[4..<8].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                receipts.append((device, number, now))
            }
            state.received &+= 1
            state.credit &-= 1
            if state.credit < credit / 2 {
                try await client.send(client.flow(handle: transfer.handle, deliveryCount: state.received, credit: credit))
                state.credit = credit
            }
            handles[transfer.handle] = state
        }
        return ConsumerResult(receipts: receipts, lastReceipt: last)
    }

    /// The partition ids from `$management` READ of `com.microsoft:eventhub`.
    private static func partitionIds(_ client: inout AMQPBenchClient, credential: EventHubsCredential, audience: String) async throws -> [String] {
        let sender = try await client.attach(role: .sender, address: "$management")
        let receiver = try await client.attach(role: .receiver, address: "$management")
        try await client.send(client.flow(handle: receiver, deliveryCount: 0, credit: 10))
        let request = AMQPMessage(
            properties: AMQPMessageProperties(messageId: .ulong(1), replyTo: nil),
            applicationProperties: [.string("operation"): .string("READ"), .string("type"): .string("com.microsoft:eventhub"),
                                    .string("name"): .string(credential.entityPath),
                                    .string("security_token"): .string(credential.token(audience: audience))],
            body: .value(.null))
        _ = try await client.transfer(handle: sender, message: request, tag: [1])
        while true {
            let (performative, payload) = try await client.next()
            guard case .transfer(let transfer) = performative, transfer.handle == receiver else { continue }
            let reply = try AMQPMessage(decoding: payload)
            guard case .value(.map(let map)) = reply.body, let ids = map[string: "partition_ids"] else {
                throw BenchmarkError("$management READ answered without partition_ids")
            }
            return ids.multiple.compactMap(\.text)
        }
    }

    /// The service sends `c2d` messages over `/messages/devicebound` with `c2dWindow` unsettled at once.
    private func c2dRun(shard: ServerConnection.Hub, amqpPort: Int, service: ServiceCredential, provisioned: [ProvisionedDevice],
                        tls: NIOSSLContext, report: inout BenchmarkReport) async throws {
        progress("amqp: \(c2d) C2D messages over the AMQP service link, \(c2dWindow) in flight")
        let total = c2d
        let inFlight = c2dWindow
        let deviceIds = provisioned.map(\.deviceId)
        let window = CPUWindow(serverPID: serverPid)
        let (elapsed, accepted, rejected, latencies) = try await AMQPBenchClient.with(host: shard.hostName, port: amqpPort, tls: tls) { client in
            try await client.putToken(audience: "https://\(shard.hostName)", token: service.token())
            let link = try await client.attach(role: .sender, address: "amqps://\(shard.hostName)/messages/devicebound")
            var credit: UInt32 = 0
            var sent = 0
            var settled = 0
            var rejected = 0
            var sentAt: [UInt32: UInt64] = [:]
            var latencies = LatencySamples()
            let start = ContinuousClock.now
            while settled < total {
                while sent < total, sent - settled < inFlight, credit > 0 {
                    let device = deviceIds[sent % deviceIds.count]
                    let message = AMQPMessage(
                        properties: AMQPMessageProperties(messageId: .string("bench-\(sent)"), to: "/devices/\(device)/messages/devicebound"),
                        applicationProperties: [.string("n"): .int(Int32(truncatingIfNeeded: sent))], body: .data([Array("c2d \(sent)".utf8)]))
                    var tag = [UInt8](repeating: 0, count: 16)
                    withUnsafeBytes(of: UInt64(sent).bigEndian) { tag.replaceSubrange(8..<16, with: $0) }
                    let id = try await client.transfer(handle: link, message: message, tag: tag)
                    sentAt[id] = NIODeadline.now().uptimeNanoseconds
                    sent += 1
                    credit -= 1
                }
                let (performative, _) = try await client.next()
                switch performative {
                case .flow(let flow) where flow.handle == link:
                    // Credit is counted from the receiver's view of the delivery count: transfers in flight use it up.
                    let limit = Int(flow.deliveryCount ?? 0) + Int(flow.linkCredit ?? 0)
                    credit = UInt32(clamping: max(0, limit - sent))
                case .disposition(let disposition):
                    let now = NIODeadline.now().uptimeNanoseconds
                    for id in disposition.first...(disposition.last ?? disposition.first) {
                        guard let at = sentAt.removeValue(forKey: id) else { continue }
                        settled += 1
                        latencies.add(nanoseconds: Int64(now - at))
                        if case .rejected = disposition.state { rejected += 1 }
                    }
                case .detach(let detach) where detach.handle == link:
                    throw BenchmarkError("the C2D link was detached: \(detach.error?.condition.rawValue ?? "")")
                default:
                    break
                }
            }
            return (ContinuousClock.now - start, settled - rejected, rejected, latencies)
        }
        let row = ResultRow(name: "C2D over AMQP (accepted after commit)", operations: accepted, failures: rejected, elapsed: elapsed,
                            latencies: latencies, cpu: window.finish())
        report.rows.append(row)
        report.summary["c2dAcceptedPerSecond"] = row.ratePerSecond
        report.notes.append(row.ratePerSecond >= Self.c2dTargetPerSecond
            ? "C2D target met: \(Int(row.ratePerSecond)) accepted/s ≥ \(Int(Self.c2dTargetPerSecond))"
            : "C2D target missed: \(Int(row.ratePerSecond)) accepted/s < \(Int(Self.c2dTargetPerSecond))")
    }

    /// Resident memory the server adds per idle connection: AMQP (SASL, open, begin, a CBS token) next to MQTT (CONNECT).
    private func memoryRun(shard: ServerConnection.Hub, amqpPort: Int, credential: EventHubsCredential, provisioned: [ProvisionedDevice],
                           tls: NIOSSLContext, serverPid: Int32, report: inout BenchmarkReport) async throws {
        progress("amqp: \(idleConnections) idle AMQP connections, then \(idleConnections) idle MQTT connections")
        let audience = "sb://\(shard.hostName)/\(credential.entityPath)"
        let count = provisioned.count
        func rss() throws -> Double {
            let status = try String(contentsOfFile: "/proc/\(serverPid)/status", encoding: .utf8)
            guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") }),
                  let kib = Double(line.split(separator: " ").dropFirst().first ?? "") else { throw BenchmarkError("no VmRSS for pid \(serverPid)") }
            return kib
        }
        let before = try rss()
        let amqpHeld = try await IdleConnections.holdAMQP(count: count, host: shard.hostName, port: amqpPort, tls: tls) {
            try await $0.putToken(audience: audience, token: credential.token(audience: audience))
        }
        let withAMQP = try rss()
        await amqpHeld.close()
        let mqttHeld = try await IdleConnections.holdMQTT(devices: provisioned, count: count, tls: tls)
        let withMQTT = try rss()
        await mqttHeld.close()
        let amqpKiB = (withAMQP - before) / Double(count)
        let mqttKiB = max(0, withMQTT - withAMQP) / Double(count)
        report.summary["idleAMQPKiBPerConnection"] = amqpKiB
        report.summary["idleMQTTKiBPerConnection"] = mqttKiB
        report.notes.append("idle connection memory (server RSS growth / connections): AMQP \(String(format: "%.1f", amqpKiB)) KiB, MQTT \(String(format: "%.1f", mqttKiB)) KiB (MQTT measured after the AMQP ones closed; freed memory the allocator keeps makes it a lower bound)")
    }
}
