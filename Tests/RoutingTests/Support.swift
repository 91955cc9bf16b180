import Foundation
import Hub
import Provisioning
@testable import Routing
import Storage
import Synchronization

/// Runs `body` with a fresh database in its own temporary directory, removed afterwards; `path` reopens it.
func withRoutingDatabase(_ body: (ProvisioDatabase, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("provisio-routing-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("provisio.sqlite").path
    try await body(try ProvisioDatabase(path: path), path)
}

/// A temporary directory for storage-endpoint files.
func withTemporaryDirectory(_ body: (URL) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("provisio-routing-files-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try await body(directory)
}

/// A device message as the hub stores it.
func telemetry(_ deviceId: String, _ json: String, shard: String = "hub-1", properties: [String: String] = [:],
               at time: Date = RoutingFixtures.enqueued) -> TelemetryMessage {
    TelemetryMessage(shard: shard, deviceId: deviceId, moduleId: nil, enqueuedTime: time, body: Array(json.utf8), properties: properties,
                     systemProperties: [
                        "content-type": "application/json", "content-encoding": "utf-8", "iothub-connection-device-id": deviceId,
                        "iothub-message-source": "Telemetry", "iothub-enqueuedtime": RegistrationTimestamp.string(time),
                     ])
}

/// A clock tests move by hand.
final class TestClock: Sendable {
    private let current: Mutex<Date>

    init(_ start: Date = RoutingFixtures.enqueued) { current = Mutex(start) }

    var now: Date { current.withLock { $0 } }

    func advance(_ seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}

/// A webhook receiver in memory: answers from a script of statuses (then 200), records every request.
final class RecordingWebhook: WebhookTransport {
    struct Request: Sendable {
        var url: URL
        var headers: [String: String]
        var body: [UInt8]
    }

    private let state: Mutex<(requests: [Request], script: [Int])>
    /// Wakes tests awaiting requests.
    let received = WakeSignal()

    init(failFirst statuses: [Int] = []) { state = Mutex(([], statuses)) }

    func post(url: URL, headers: [String: String], body: [UInt8], timeout: Duration, trustBundle: String?) async throws -> Int {
        let status = state.withLock { state in
            state.requests.append(Request(url: url, headers: headers, body: body))
            return state.script.isEmpty ? 200 : state.script.removeFirst()
        }
        received.notify()
        if status < 0 { throw WebhookFailure() }
        return status
    }

    var requests: [Request] { state.withLock { $0.requests } }

    /// Event documents of every request that succeeded, in arrival order.
    func documents() throws -> [EventDocument] {
        try requests.flatMap { request -> [EventDocument] in
            if request.body.first == UInt8(ascii: "[") { return try JSONDecoder().decode([EventDocument].self, from: Data(request.body)) }
            return [try JSONDecoder().decode(EventDocument.self, from: Data(request.body))]
        }
    }

    struct WebhookFailure: Error {}
}

/// Awaits `condition` with a deadline: re-checked whenever `signal` fires, and every 50 ms for state that changes
/// without a signal (a cursor stored after the request that fired it).
func eventually(_ signal: WakeSignal, timeout: Duration = .seconds(30), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now.advanced(by: timeout)
    while ContinuousClock.now < deadline {
        let version = signal.version
        if try await condition() { return true }
        await signal.wait(since: version, timeout: min(.milliseconds(50), ContinuousClock.now.duration(to: deadline)))
    }
    return try await condition()
}
