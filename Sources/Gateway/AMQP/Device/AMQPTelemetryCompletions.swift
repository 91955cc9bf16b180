import AMQPCodec
import Hub
import Synchronization

/// Telemetry commits of one connection, as the shard's group commit finishes them (on its own threads): collected
/// here and taken by the connection's loop in one go, so a commit of many deliveries becomes one input, ranged
/// dispositions and one write — not a task, an input and a flushed frame per message.
final class AMQPTelemetryCompletions: Sendable {
    /// One committed (or refused) delivery.
    struct Completed: Sendable {
        var link: AMQPLinkID
        var deliveryId: UInt32
        var settled: Bool
        var refusal: HubError?
    }

    private struct State {
        var completed: [Completed] = []
        var signalled = false
    }

    private let state = Mutex(State())

    /// Records a finished delivery; true when the loop must be woken (it has not been since it last took them).
    func add(_ completed: Completed) -> Bool {
        state.withLock { state in
            state.completed.append(completed)
            defer { state.signalled = true }
            return !state.signalled
        }
    }

    /// Takes everything finished so far.
    func take() -> [Completed] {
        state.withLock { state in
            state.signalled = false
            defer { state.completed = [] }
            return state.completed
        }
    }
}
