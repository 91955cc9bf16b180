import Foundation
import Hub
import Provisioning
import Storage
import Synchronization
import Testing

/// The shard's job runner over the SQLite store: at most its concurrency limit of jobs run at once (the others wait
/// `queued`), a job with a future start shows `scheduled`, and a waiting job starts as soon as a slot frees.
@Suite struct ScheduledJobRunnerTests {
    /// Devices whose method calls hang until the test releases them, so jobs stay running as long as the test wants.
    final class HeldMethods: HubNotifier {
        private struct State {
            var held: [String: CheckedContinuation<Void, Never>] = [:]
            var released = Set<String>()
        }

        private let state = Mutex(State())

        /// Devices whose call is under way.
        var calling: Set<String> { state.withLock { Set($0.held.keys) } }

        /// Lets the call to `deviceId` answer (now, or as soon as it comes).
        func release(_ deviceId: String) {
            let waiter = state.withLock { state -> CheckedContinuation<Void, Never>? in
                state.released.insert(deviceId)
                return state.held.removeValue(forKey: deviceId)
            }
            waiter?.resume()
        }

        func invokeMethod(shard: String, deviceId: String, moduleId: String?, request: DirectMethodRequest) async throws -> DirectMethodResponse {
            await withCheckedContinuation { continuation in
                let now = state.withLock { state -> Bool in
                    if state.released.contains(deviceId) { return true }
                    state.held[deviceId] = continuation
                    return false
                }
                if now { continuation.resume() }
            }
            return DirectMethodResponse(status: 200, payload: .object(["device": .string(deviceId)]))
        }

        func desiredPropertiesChanged(shard: String, deviceId: String, moduleId: String?, patch: JSONValue) async {}
        func cloudToDeviceQueued(shard: String, deviceId: String) async {}
        func disconnect(shard: String, deviceId: String) async {}
    }

    /// Checks `condition` every 10 ms until it holds or 10 s pass.
    static func eventually(_ condition: () async throws -> Bool) async throws -> Bool {
        let deadline = ContinuousClock.now + .seconds(60)
        while ContinuousClock.now < deadline {
            if try await condition() { return true }
            try await Task.sleep(for: .milliseconds(10))
        }
        return try await condition()
    }

    @Test("at start-up, steps left running by a crash under a cancelled job are given up")
    func settlesCancelledJobsAtStart() async throws {
        try await withTemporaryDatabase { database, _ in
            let devices = HeldMethods()
            let shard = HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                                 telemetry: TelemetryBatcher(store: database), notifier: devices, jobs: database)
            _ = try await shard.createOrUpdateDevice(DeviceSpecification(deviceId: "a"), ifMatch: nil)
            var job = try await shard.createScheduledJob(ScheduledJob(
                jobId: "j", type: .scheduleDeviceMethod, queryCondition: "", createdTime: Date(), startTime: Date(),
                maxExecutionTimeInSeconds: 600, cloudToDeviceMethod: DirectMethodRequest(methodName: "hold", payload: nil)))
            job.status = .running
            #expect(try await database.startJob(shard: "hub-1", job: job, targets: ["a"]))
            _ = try await database.startSteps(shard: "hub-1", jobId: "j", deviceIds: ["a"], at: Date())
            _ = try await shard.cancelScheduledJob("j")
            #expect(try await shard.scheduledJob("j").statistics.runningCount == 1)

            let runner = ScheduledJobRunner(shard: shard, concurrencyLimit: 2, idleInterval: .milliseconds(50))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await runner.run() }
                let settled = try await Self.eventually { try await shard.scheduledJob("j").statistics == DeviceJobStatistics(deviceCount: 1) }
                #expect(settled)
                #expect(devices.calling.isEmpty, "a cancelled job calls nobody")
                group.cancelAll()
            }
        }
    }

    @Test("two jobs run at once, a third waits queued and starts when one ends; a future job is scheduled")
    func concurrencyLimit() async throws {
        try await withTemporaryDatabase { database, _ in
            let devices = HeldMethods()
            let shard = HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                                 telemetry: TelemetryBatcher(store: database), notifier: devices, jobs: database)
            for id in ["a", "b", "c"] {
                _ = try await shard.createOrUpdateDevice(DeviceSpecification(deviceId: id), ifMatch: nil)
            }
            let now = Date()
            for (index, id) in ["a", "b", "c"].enumerated() {
                _ = try await shard.createScheduledJob(ScheduledJob(
                    jobId: "job-\(id)", type: .scheduleDeviceMethod, queryCondition: "deviceId = '\(id)'",
                    createdTime: now.addingTimeInterval(Double(index)), startTime: now, maxExecutionTimeInSeconds: 600,
                    cloudToDeviceMethod: DirectMethodRequest(methodName: "hold", payload: nil)))
            }
            _ = try await shard.createScheduledJob(ScheduledJob(
                jobId: "later", type: .scheduleDeviceMethod, queryCondition: "", createdTime: now, startTime: now.addingTimeInterval(3600),
                maxExecutionTimeInSeconds: 600, cloudToDeviceMethod: DirectMethodRequest(methodName: "hold", payload: nil)))

            let runner = ScheduledJobRunner(shard: shard, concurrencyLimit: 2, idleInterval: .milliseconds(50))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { await runner.run() }
                #expect(try await Self.eventually { devices.calling == ["a", "b"] })
                #expect(try await Self.eventually { try await shard.scheduledJob("job-c").job.status == .queued })
                #expect(try await shard.scheduledJob("job-a").job.status == .running)
                #expect(try await shard.scheduledJob("job-a").statistics == DeviceJobStatistics(deviceCount: 1, runningCount: 1))
                #expect(try await Self.eventually { try await shard.scheduledJob("later").job.status == .scheduled })

                devices.release("a")
                #expect(try await Self.eventually { try await shard.scheduledJob("job-a").job.status == .completed })
                #expect(try await Self.eventually { devices.calling == ["b", "c"] })
                devices.release("b")
                devices.release("c")
                #expect(try await Self.eventually { try await shard.scheduledJob("job-c").job.status == .completed })
                let (job, statistics) = try await shard.scheduledJob("job-b")
                #expect(job.status == .completed && statistics == DeviceJobStatistics(deviceCount: 1, succeededCount: 1))
                let record = try #require(try await shard.deviceJobs(deviceId: "c").first)
                #expect(record.outcome?["deviceMethodResponse"]?["status"] == .number(200))
                group.cancelAll()
            }
        }
    }
}
