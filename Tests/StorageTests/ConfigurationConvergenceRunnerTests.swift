import Foundation
import Hub
import Provisioning
import Storage
import Testing

/// The convergence runner over the SQLite store: its start-up pass converges what a restart left undone.
@Suite struct ConfigurationConvergenceRunnerTests {
    @Test("a runner started on a reopened database converges the twins its first pass finds out of date")
    func startUpPassConverges() async throws {
        try await withTemporaryDatabase { database, path in
            let clock = FeedbackLockTests.TestClock()
            let shard = ConfigurationStorageTests.shard(database, clock: clock)
            try await ConfigurationStorageTests.addDevices(shard, count: 4)
            _ = try await shard.createOrUpdateConfiguration(
                try ConfigurationStorageTests.specification("fw", priority: 1, content: ["properties.desired.fw": .string("9")]), ifMatch: nil)
            // The process stops here: no pass ran. A new shard value over the reopened database starts a runner.
            let reopened = ConfigurationStorageTests.shard(try ProvisioDatabase(path: path), clock: clock)
            let runner = ConfigurationConvergenceRunner(shard: reopened, interval: .seconds(3600))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await runner.run() }
                let deadline = ContinuousClock.now.advanced(by: .seconds(60))
                var converged = false
                while !converged, ContinuousClock.now < deadline {
                    converged = try await ConfigurationStorageTests.desired(reopened, "dev-02")?["fw"] == .string("9")
                    if !converged { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(converged, "the start-up pass converged the tagged twin")
                // A device created while the runner waits converges without another full pass.
                try await ConfigurationStorageTests.addDevices(reopened, count: 1, from: 10)
                var created = false
                while !created, ContinuousClock.now < deadline {
                    created = try await ConfigurationStorageTests.desired(reopened, "dev-10")?["fw"] == .string("9")
                    if !created { try await Task.sleep(for: .milliseconds(20)) }
                }
                #expect(created, "a new matching device converged from the work queue")
                #expect(try await ConfigurationStorageTests.desired(reopened, "dev-01")?["fw"] == nil)
                group.cancelAll()
            }
        }
    }
}
