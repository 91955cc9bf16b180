import Foundation
import Hub
import Provisioning
import Storage
import Testing

/// Scheduled jobs on a shard over the SQLite store: targets chosen once at start, twin steps committed with their
/// completion (never twice, never skipped, also across a reopen), cancel, the time limit, method failures and
/// the `devices.jobs` records.
@Suite struct ScheduledJobStorageTests {
    static let start = Date(timeIntervalSince1970: 1_800_000_000)

    static func shard(_ database: ProvisioDatabase, clock: FeedbackLockTests.TestClock) -> HubShard {
        HubShard(name: "hub-1", hostName: "127.0.0.2", registry: database, cloudToDevice: database,
                 telemetry: TelemetryBatcher(store: database), notifier: FeedbackLockTests.UnreachableDevices(), jobs: database,
                 now: { clock.now })
    }

    /// `count` devices `dev-000`…, the even ones tagged `site: north`.
    static func addDevices(_ shard: HubShard, count: Int) async throws {
        for index in 0..<count {
            let id = String(format: "dev-%03d", index)
            _ = try await shard.createOrUpdateDevice(DeviceSpecification(deviceId: id), ifMatch: nil)
            if index % 2 == 0 {
                _ = try await shard.updateTwin(deviceId: id, patch: .object(["tags": .object(["site": .string("north")])]), ifMatch: nil)
            }
        }
    }

    static func twinJob(_ id: String, at time: Date, maximum: Int = 600) -> ScheduledJob {
        ScheduledJob(jobId: id, type: .scheduleUpdateTwin, queryCondition: "tags.site = 'north'", createdTime: time, startTime: time,
                     maxExecutionTimeInSeconds: maximum,
                     updateTwin: .object(["properties": .object(["desired": .object(["fw": .string("2.0")])])]))
    }

    static func desiredVersion(_ shard: HubShard, _ id: String) async throws -> Int? {
        let twin = try await shard.serviceTwin(deviceId: id)
        guard case .number(let version)? = twin["properties"]?["desired"]?["$version"] else { return nil }
        return Int(version)
    }

    @Test("a twin job updates every matching device once and records each step")
    func twinJobRuns() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 250)
            let created = try await shard.createScheduledJob(Self.twinJob("fw", at: clock.now))
            #expect(created.status == .queued)
            try await shard.runScheduledJob("fw")

            let (job, statistics) = try await shard.scheduledJob("fw")
            #expect(job.status == .completed && job.endTime != nil)
            #expect(statistics == DeviceJobStatistics(deviceCount: 125, succeededCount: 125))
            for index in [0, 2, 124, 248] {
                #expect(try await Self.desiredVersion(shard, String(format: "dev-%03d", index)) == 2)
            }
            #expect(try await Self.desiredVersion(shard, "dev-001") == 1, "a device outside the condition is untouched")
            let records = try await shard.deviceJobs(deviceId: "DEV-000")
            #expect(records.count == 1 && records.first?.status == .completed && records.first?.jobId == "fw")
            #expect(records.first?.document["jobType"] == .string("scheduleUpdateTwin"))
            let all = try await shard.deviceJobs(limit: 1000)
            #expect(all.count == 125)
            let page = try await shard.deviceJobs(after: DeviceJobCursor(deviceId: "dev-246", jobId: "fw"), limit: 10)
            #expect(page.map(\.deviceId) == ["dev-248"])
            // A second run of an ended job changes nothing.
            try await shard.runScheduledJob("fw")
            #expect(try await Self.desiredVersion(shard, "dev-000") == 2)
        }
    }

    @Test("a job resumed after a reopen finishes the steps not committed and never repeats a committed one")
    func resumeAfterReopen() async throws {
        try await withTemporaryDatabase { database, path in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 40)
            var job = try await shard.createScheduledJob(Self.twinJob("fw", at: clock.now))
            // The state a crash leaves: running, targets stored, the first five steps committed with their twins.
            job.status = .running
            let targets = (0..<20).map { String(format: "dev-%03d", $0 * 2) }
            #expect(try await database.startJob(shard: "hub-1", job: job, targets: targets))
            var writes: [DeviceJobTwinWrite] = []
            for id in targets.prefix(5) {
                let (identity, stored) = try await database.deviceAndTwin(shard: "hub-1", deviceId: id)
                var twin = try #require(stored)
                _ = try twin.patchDesired(["fw": .string("2.0")], now: clock.now)
                writes.append(DeviceJobTwinWrite(identity: try #require(identity), twin: twin))
            }
            let written = try await database.commitTwinSteps(shard: "hub-1", jobId: "fw", writes: writes, events: [], at: clock.now)
            #expect(written.count == 5)
            // Committing the same steps again writes nothing.
            #expect(try await database.commitTwinSteps(shard: "hub-1", jobId: "fw", writes: writes, events: [], at: clock.now).isEmpty)

            let reopened = try ProvisioDatabase(path: path)
            let restarted = Self.shard(reopened, clock: clock)
            #expect(try await restarted.scheduledJob("fw").statistics == DeviceJobStatistics(deviceCount: 20, succeededCount: 5, pendingCount: 15))
            try await restarted.runScheduledJob("fw")
            #expect(try await restarted.scheduledJob("fw").statistics == DeviceJobStatistics(deviceCount: 20, succeededCount: 20))
            for id in targets {
                #expect(try await Self.desiredVersion(restarted, id) == 2, "\(id) updated exactly once")
            }
        }
    }

    @Test("cancel before start and while running; a running job past its time limit fails")
    func cancelAndTimeLimit() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 10)
            _ = try await shard.createScheduledJob(Self.twinJob("early", at: clock.now))
            #expect(try await shard.cancelScheduledJob("early").job.status == .cancelled)
            try await shard.runScheduledJob("early")
            #expect(try await Self.desiredVersion(shard, "dev-000") == 1)

            var running = try await shard.createScheduledJob(Self.twinJob("mid", at: clock.now))
            running.status = .running
            #expect(try await database.startJob(shard: "hub-1", job: running, targets: ["dev-000", "dev-002"]))
            let cancelled = try await shard.cancelScheduledJob("mid")
            #expect(cancelled.job.status == .cancelled && cancelled.statistics == DeviceJobStatistics(deviceCount: 2))
            try await shard.runScheduledJob("mid")
            #expect(try await Self.desiredVersion(shard, "dev-000") == 1)
            #expect(try await shard.deviceJobs(deviceId: "dev-000").map(\.status) == [.cancelled])

            _ = try await shard.createScheduledJob(Self.twinJob("late", at: clock.now, maximum: 60))
            clock.advance(61)
            try await shard.runScheduledJob("late")
            let (late, statistics) = try await shard.scheduledJob("late")
            #expect(late.status == .failed && late.failureReason != nil)
            #expect(statistics.deviceCount == 5 && statistics.succeededCount == 0 && statistics.pendingCount == 0)
        }
    }

    @Test("a method job records the not-online failure of each offline device")
    func methodJobOffline() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 6)
            _ = try await shard.createScheduledJob(ScheduledJob(
                jobId: "reboot", type: .scheduleDeviceMethod, queryCondition: "tags.site = 'north'", createdTime: clock.now,
                startTime: clock.now, maxExecutionTimeInSeconds: 60,
                cloudToDeviceMethod: DirectMethodRequest(methodName: "reboot", payload: nil, responseTimeoutInSeconds: 5)))
            try await shard.runScheduledJob("reboot")
            let (job, statistics) = try await shard.scheduledJob("reboot")
            #expect(job.status == .completed)
            #expect(statistics == DeviceJobStatistics(deviceCount: 3, failedCount: 3))
            let record = try #require(try await shard.deviceJobs(deviceId: "dev-002").first)
            #expect(record.status == .failed && record.error?["code"] == .string("DeviceNotOnline"))
        }
    }

    @Test("a method call under way when the process stopped is made again on resume; a cancel spares running steps")
    func runningStepsOnResumeAndCancel() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            try await Self.addDevices(shard, count: 4)
            var job = try await shard.createScheduledJob(ScheduledJob(
                jobId: "reboot", type: .scheduleDeviceMethod, queryCondition: "", createdTime: clock.now, startTime: clock.now,
                maxExecutionTimeInSeconds: 60, cloudToDeviceMethod: DirectMethodRequest(methodName: "reboot", payload: nil)))
            job.status = .running
            #expect(try await database.startJob(shard: "hub-1", job: job, targets: ["dev-000", "dev-001"]))
            #expect(try await database.startSteps(shard: "hub-1", jobId: "reboot", deviceIds: ["dev-000", "dev-001"], at: clock.now)
                == ["dev-000", "dev-001"])
            #expect(try await database.startSteps(shard: "hub-1", jobId: "reboot", deviceIds: ["dev-000"], at: clock.now).isEmpty)
            #expect(try await shard.scheduledJob("reboot").statistics == DeviceJobStatistics(deviceCount: 2, runningCount: 2))
            try await shard.runScheduledJob("reboot")
            #expect(try await shard.scheduledJob("reboot").statistics == DeviceJobStatistics(deviceCount: 2, failedCount: 2))

            var other = try await shard.createScheduledJob(ScheduledJob(
                jobId: "other", type: .scheduleDeviceMethod, queryCondition: "", createdTime: clock.now, startTime: clock.now,
                maxExecutionTimeInSeconds: 60, cloudToDeviceMethod: DirectMethodRequest(methodName: "reboot", payload: nil)))
            other.status = .running
            #expect(try await database.startJob(shard: "hub-1", job: other, targets: ["dev-000", "dev-001"]))
            _ = try await database.startSteps(shard: "hub-1", jobId: "other", deviceIds: ["dev-000"], at: clock.now)
            #expect(try await shard.cancelScheduledJob("other").statistics == DeviceJobStatistics(deviceCount: 2, runningCount: 1))
            try await database.recordSteps(shard: "hub-1", jobId: "other", results: [
                DeviceJobStepResult(deviceId: "dev-000", status: .completed), DeviceJobStepResult(deviceId: "dev-001", status: .completed),
            ], at: clock.now)
            #expect(try await shard.scheduledJob("other").statistics == DeviceJobStatistics(deviceCount: 2, succeededCount: 1),
                    "the call under way finishes; the cancelled step keeps its state")
        }
    }

    @Test("bad jobs are refused: duplicate id, bad condition, missing patch, bad method")
    func refusals() async throws {
        try await withTemporaryDatabase { database, _ in
            let clock = FeedbackLockTests.TestClock()
            let shard = Self.shard(database, clock: clock)
            _ = try await shard.createScheduledJob(Self.twinJob("one", at: clock.now))
            await #expect(throws: HubError.self) { _ = try await shard.createScheduledJob(Self.twinJob("one", at: clock.now)) }
            var bad = Self.twinJob("two", at: clock.now)
            bad.queryCondition = "tags.site = = 1"
            await #expect(throws: HubError.self) { _ = try await shard.createScheduledJob(bad) }
            bad = Self.twinJob("three", at: clock.now)
            bad.updateTwin = .object([:])
            await #expect(throws: HubError.self) { _ = try await shard.createScheduledJob(bad) }
            let method = ScheduledJob(jobId: "four", type: .scheduleDeviceMethod, queryCondition: "", createdTime: clock.now,
                                      startTime: clock.now, maxExecutionTimeInSeconds: 60,
                                      cloudToDeviceMethod: DirectMethodRequest(methodName: "a/b", payload: nil))
            await #expect(throws: HubError.self) { _ = try await shard.createScheduledJob(method) }
            await #expect(throws: HubError.self) { _ = try await shard.scheduledJob("missing") }
            #expect(try await shard.scheduledJobs(type: nil, status: nil).map(\.job.jobId) == ["one"])
        }
    }
}
