import AMQPCodec
import NIOCore
import NIOSSL

/// Device telemetry over AMQP: one connection per device (SASL ANONYMOUS, a `$cbs` put-token for `{host}/devices/{id}`
/// with the device's SAS), a sender link to `/devices/{id}/messages/events`, unsettled transfers with at most `window`
/// awaiting their disposition — the shape of MQTT QoS 1 with the SDK's in-flight limit. A message counts once the
/// server settles it `accepted` (which it does after the durable commit). Every device is connected and attached
/// before the measured window starts.
enum AMQPTelemetryLoad {
    /// One device's share of a run.
    private struct Outcome: Sendable {
        var latencies = LatencySamples()
        var failures = 0
        var firstError: String?
    }

    /// Sends `perDevice[i]` messages of `payload` (one data section) from device `i` on `amqpPort` of its shard.
    static func run(devices: [ProvisionedDevice], perDevice: [Int], amqpPort: Int, window: Int, payload: ByteBuffer, tls: NIOSSLContext,
                    serverPID: Int32?) async throws -> TelemetryFleet.Result {
        let encoded = AMQPMessage(body: .data([Array(payload.readableBytesView)])).encoded
        // The devices and this task: everyone starts once the last device is attached.
        let gate = StartGate(expected: devices.count + 1)
        return await withTaskGroup(of: Outcome.self) { group in
            for (index, device) in devices.enumerated() {
                group.addTask {
                    await publish(device: device, messages: perDevice[index], amqpPort: amqpPort, window: window, encoded: encoded,
                                  tls: tls, gate: gate)
                }
            }
            await gate.arrive()
            let cpuWindow = CPUWindow(serverPID: serverPID)
            let start = await gate.openedAt ?? .now
            var all = Outcome()
            for await outcome in group {
                all.latencies.merge(outcome.latencies)
                all.failures += outcome.failures
                all.firstError = all.firstError ?? outcome.firstError
            }
            let end = ContinuousClock.now
            return TelemetryFleet.Result(messages: all.latencies.count, failures: all.failures, firstError: all.firstError,
                                         elapsed: end - start, latencies: all.latencies, cpu: cpuWindow.finish())
        }
    }

    /// Connects, authenticates and attaches one device, waits at the gate, then publishes.
    private static func publish(device: ProvisionedDevice, messages: Int, amqpPort: Int, window: Int, encoded: ByteBuffer,
                                tls: NIOSSLContext, gate: StartGate) async -> Outcome {
        var arrived = false
        do {
            return try await AMQPBenchClient.with(host: device.hub.hostName, port: amqpPort, tls: tls) { client in
                let host = device.hub.hostName
                try await client.putToken(audience: "\(host)/devices/\(device.deviceId)",
                                          token: device.device.hubToken(hubHostName: host))
                let link = try await client.attach(role: .sender, address: "amqps://\(host)/devices/\(device.deviceId)/messages/events")
                arrived = true
                await gate.arrive()
                return try await send(&client, link: link, messages: messages, window: window, encoded: encoded)
            }
        } catch {
            if !arrived { await gate.arrive() }
            return Outcome(failures: messages, firstError: "\(error)")
        }
    }

    /// Keeps up to `window` transfers unsettled (and within the link credit) until every one is settled.
    private static func send(_ client: inout AMQPBenchClient, link: UInt32, messages: Int, window: Int,
                             encoded: ByteBuffer) async throws -> Outcome {
        var outcome = Outcome()
        var credit = 0
        var sent = 0
        var settled = 0
        var firstId: UInt32?
        var sentAt = [UInt64](repeating: 0, count: messages)
        while settled < messages {
            let room = min(messages - sent, window - (sent - settled), credit)
            if room > 0 {
                let now = NIODeadline.now().uptimeNanoseconds
                let first = try await client.transfers(handle: link, payload: encoded, count: room, firstTag: UInt64(sent))
                firstId = firstId ?? first
                for index in sent..<(sent + room) { sentAt[index] = now }
                sent += room
                credit -= room
            }
            let (performative, _) = try await client.next()
            switch performative {
            case .flow(let flow) where flow.handle == link:
                // The receiver's delivery count plus its credit is the last delivery it will take; what we sent beyond
                // its count uses that up.
                credit = max(0, Int(flow.deliveryCount ?? 0) + Int(flow.linkCredit ?? 0) - sent)
            case .disposition(let disposition) where disposition.role == .receiver:
                guard let firstId else { continue }
                let now = NIODeadline.now().uptimeNanoseconds
                let last = disposition.last ?? disposition.first
                // Offsets from our first telemetry delivery; earlier deliveries (the put-token) wrap to huge ones.
                let (low, high) = (Int(disposition.first &- firstId), min(Int(last &- firstId), sent - 1))
                guard low <= high else { continue }
                for index in low...high where sentAt[index] != 0 {
                    settled += 1
                    if case .accepted? = disposition.state {
                        outcome.latencies.add(nanoseconds: Int64(now - sentAt[index]))
                    } else {
                        outcome.failures += 1
                        outcome.firstError = outcome.firstError ?? "disposition \(String(describing: disposition.state))"
                    }
                    sentAt[index] = 0
                }
            case .detach(let detach) where detach.handle == link:
                throw BenchmarkError("the telemetry link was detached: \(detach.error.map { "\($0.condition) \($0.description ?? "")" } ?? "")")
            default:
                continue
            }
        }
        return outcome
    }
}
