import NIOCore
import NIOHTTP1
import NIOSSL

/// Telemetry over the IoT Hub device HTTPS API: `POST /devices/{id}/messages/events` with the device's SAS, one message
/// per request, on keep-alive connections (each sends its next request when the previous one is answered, as the device
/// SDKs' HTTP transports do). Every connection is open before the measured window starts.
enum HTTPSTelemetryLoad {
    /// One keep-alive connection of a device and the messages it sends.
    private struct Sender: Sendable {
        var connection: HTTPSConnection
        var path: String
        var authorization: String
        var messages: Int
    }

    /// The API version the C# device SDK sends.
    static let apiVersion = "2020-09-30"

    /// Sends `perDevice[i]` messages of `payload` for device `i`, spread over `connectionsPerDevice` connections each;
    /// counts a 204 as delivered (the server answers once the message is durable).
    static func run(devices: [ProvisionedDevice], perDevice: [Int], connectionsPerDevice: Int, payload: ByteBuffer, tls: NIOSSLContext,
                    serverPID: Int32?) async throws -> TelemetryFleet.Result {
        var plans: [(ProvisionedDevice, Int)] = []
        for (index, device) in devices.enumerated() {
            for connection in 0..<connectionsPerDevice {
                let share = perDevice[index] / connectionsPerDevice + (connection < perDevice[index] % connectionsPerDevice ? 1 : 0)
                plans.append((device, share))
            }
        }
        let senders = try await open(plans, tls: tls)
        let window = CPUWindow(serverPID: serverPID)
        let start = ContinuousClock.now
        let outcomes = await withTaskGroup(of: (LatencySamples, Int, String?).self) { group in
            for sender in senders {
                group.addTask { await send(sender, payload: payload) }
            }
            var all: [(LatencySamples, Int, String?)] = []
            for await outcome in group { all.append(outcome) }
            return all
        }
        let end = ContinuousClock.now
        let cpu = window.finish()
        for sender in senders { await sender.connection.close() }
        var latencies = LatencySamples()
        var failures = 0
        var firstError: String?
        for (samples, failed, error) in outcomes {
            latencies.merge(samples)
            failures += failed
            firstError = firstError ?? error
        }
        return TelemetryFleet.Result(messages: latencies.count, failures: failures, firstError: firstError, elapsed: end - start,
                                     latencies: latencies, cpu: cpu)
    }

    /// Opens every connection (TLS handshake included), 16 at a time.
    private static func open(_ plans: [(ProvisionedDevice, Int)], tls: NIOSSLContext) async throws -> [Sender] {
        let counter = WorkCounter(limit: plans.count)
        return try await withThrowingTaskGroup(of: [Sender].self) { group in
            for _ in 0..<min(16, plans.count) {
                group.addTask {
                    var mine: [Sender] = []
                    while let index = counter.take() {
                        let (device, messages) = plans[index]
                        let connection = try await HTTPSConnection.open(host: device.hub.hostName, port: device.hub.httpsPort, tls: tls)
                        mine.append(Sender(connection: connection, path: "/devices/\(device.deviceId)/messages/events?api-version=\(apiVersion)",
                                           authorization: device.device.hubToken(hubHostName: device.hub.hostName), messages: messages))
                    }
                    return mine
                }
            }
            var all: [Sender] = []
            for try await share in group { all += share }
            return all
        }
    }

    /// One connection's messages, one request at a time; returns the latencies of the 204s, the failures and the first error.
    private static func send(_ sender: Sender, payload: ByteBuffer) async -> (LatencySamples, Int, String?) {
        var latencies = LatencySamples()
        var failures = 0
        var firstError: String?
        let headers = [("Authorization", sender.authorization)]
        for _ in 0..<sender.messages {
            let before = ContinuousClock.now
            do {
                let reply = try await sender.connection.send(.POST, sender.path, headers: headers, body: payload,
                                                             contentType: "application/octet-stream")
                if reply.status == 204 {
                    latencies.add(ContinuousClock.now - before)
                } else {
                    failures += 1
                    firstError = firstError ?? "HTTP \(reply.status): \(reply.text.prefix(200))"
                }
            } catch {
                failures += 1
                firstError = firstError ?? "\(error)"
                // The connection is gone: its remaining messages fail the same way.
                failures = sender.messages - latencies.count
                break
            }
        }
        return (latencies, failures, firstError)
    }
}
