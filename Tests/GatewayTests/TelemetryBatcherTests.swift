import Foundation
import Hub
import Synchronization
import Testing

/// Group commit with two writers in flight: batches may commit out of step, completions never do.
@Suite("Telemetry batcher", .timeLimit(.minutes(1)))
struct TelemetryBatcherTests {
    /// The first append waits until the test releases it; later ones return at once.
    final class GatedStore: TelemetryStore {
        let state = Mutex<(calls: Int, returned: Int, gate: CheckedContinuation<Void, Never>?, released: Bool)>((0, 0, nil, false))
        let prepared = Mutex<[String]>([])
        let appended = Mutex<[String]>([])

        func prepareTelemetry(_ messages: [TelemetryMessage]) -> [TelemetryMessage] {
            prepared.withLock { $0 += messages.map(\.deviceId) }
            return messages
        }

        func appendTelemetry(_ messages: [TelemetryMessage]) async throws -> [Int64] {
            let call = state.withLock { state in
                state.calls += 1
                return state.calls
            }
            if call == 1 {
                await withCheckedContinuation { continuation in
                    let resumeNow = state.withLock { state in
                        if state.released { return true }
                        state.gate = continuation
                        return false
                    }
                    if resumeNow { continuation.resume() }
                }
            }
            appended.withLock { $0 += messages.map(\.deviceId) }
            state.withLock { $0.returned += 1 }
            return messages.indices.map { Int64(call * 100 + $0) }
        }

        func telemetry(shard: String, after sequenceNumber: Int64, limit: Int) async throws -> [StoredTelemetryMessage] { [] }

        func release() {
            let gate = state.withLock { state in
                state.released = true
                defer { state.gate = nil }
                return state.gate
            }
            gate?.resume()
        }
    }

    func message(_ id: String) -> TelemetryMessage {
        TelemetryMessage(shard: "hub-1", deviceId: id, moduleId: nil, enqueuedTime: Date(), body: [], properties: [:], systemProperties: [:])
    }

    /// Polls `condition` until it holds or a generous deadline passes.
    func eventually(_ condition: () -> Bool) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while !condition() {
            guard ContinuousClock.now < deadline else { throw CancellationError() }
            await Task.yield()
            try await Task.sleep(for: .milliseconds(1))
        }
    }

    @Test("the next batch is prepared while one is written, appended after it, and completed after it")
    func overlapsAndKeepsOrder() async throws {
        let store = GatedStore()
        let batcher = TelemetryBatcher(store: store)
        let completed = Mutex<[String]>([])
        batcher.submit(message("first")) { _ in completed.withLock { $0.append("first") } }
        try await eventually { store.state.withLock { $0.calls == 1 } }
        batcher.submit(message("second")) { result in completed.withLock { $0.append("second \((try? result.get()) ?? -1)") } }
        try await eventually { store.prepared.withLock { $0.count == 2 } }
        #expect(store.state.withLock { $0.calls } == 1, "the second batch waits for the first to be written")
        #expect(completed.withLock { $0 }.isEmpty)
        store.release()
        try await eventually { completed.withLock { $0.count == 2 } }
        #expect(completed.withLock { $0 } == ["first", "second 200"])
        #expect(store.appended.withLock { $0 } == ["first", "second"])
    }

    @Test("record returns the message's sequence number once it is stored")
    func record() async throws {
        let store = GatedStore()
        store.release()
        let batcher = TelemetryBatcher(store: store)
        #expect(try await batcher.record(message("only")) == 100)
    }
}
