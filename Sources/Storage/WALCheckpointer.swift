import Dispatch
import Foundation
import GRDB

/// Moves committed pages from the WAL into the database file on a thread of its own, so the writer does not.
///
/// SQLite's automatic checkpoint runs inside the commit that crosses its threshold: that commit — and every writer
/// queued behind it, such as a telemetry batch whose devices wait for their PUBACKs — then also copies the WAL into the
/// database and syncs both files, several milliseconds at telemetry rates. Here a separate connection runs PASSIVE
/// checkpoints (they never block the writer or readers) every `interval` — a few large checkpoints cost less than many
/// small ones, each of which syncs both files; the writer's own automatic checkpoint stays on with a much higher
/// threshold, as a bound on the WAL if this thread cannot keep up.
final class WALCheckpointer: Sendable {
    /// The writer's automatic-checkpoint threshold while this runs (pages; 32,768 pages of 4 KiB are 128 MiB).
    static let writerThresholdPages = 32_768

    private let stopSignal = DispatchSemaphore(value: 0)

    /// Opens its connection to the (already created, WAL) database at `path` and starts the thread.
    init(path: String, interval: DispatchTimeInterval = .milliseconds(500)) throws {
        var configuration = Configuration()
        configuration.label = "provisio.checkpoint"
        configuration.busyMode = .timeout(1)
        let connection = try DatabaseQueue(path: path, configuration: configuration)
        let stop = stopSignal
        let thread = Thread {
            while stop.wait(timeout: .now() + interval) == .timedOut {
                // A failure (a busy lock, a removed file) only skips this round; the writer's threshold still bounds the WAL.
                _ = try? connection.inDatabase { db in try db.execute(sql: "PRAGMA wal_checkpoint(PASSIVE)") }
            }
        }
        thread.name = "provisio.checkpoint"
        thread.start()
    }

    /// Ends the thread after its current round.
    func stop() {
        stopSignal.signal()
    }

    deinit {
        stopSignal.signal()
    }
}
