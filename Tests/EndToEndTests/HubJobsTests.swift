import Foundation
import Testing

/// Scheduled jobs (jobs v2) and bulk registry operations through the unmodified `azure-iot-hub` 2.7.0, with
/// devices connected over MQTT by `azure-iot-device`, on the real server.
@Suite("Hub jobs and bulk registry (SDK)", .timeLimit(.minutes(5)))
struct HubJobsTests {
    /// What `python/hub_jobs.py` prints.
    struct JobsReport: Decodable, Sendable {
        struct Statistics: Decodable, Sendable, Equatable {
            var deviceCount: Int
            var failedCount: Int
            var succeededCount: Int
            var runningCount: Int
            var pendingCount: Int
        }

        struct Job: Decodable, Sendable {
            var status: String
            var type: String
            var statistics: Statistics
            var hasEndTime: Bool
            var queryCondition: String?
        }

        struct Created: Decodable, Sendable {
            var jobId: String
            var status: String
            var type: String
        }

        struct TwinState: Decodable, Sendable {
            var fw: String?
            var updated: Bool?
            var versionDelta: Int
        }

        var slowCreated: Bool
        var twinCreated: Created
        var twinJob: Job
        var twins: [String: TwinState]
        var devicesNotified: Bool
        var duplicateStatus: Int?
        var methodJob: Job
        var laterBeforeCancel: String
        var laterCancelled: Job
        var slowRunning: String
        var slowJob: Job
        var slowJobLater: Job
        var badConditionStatus: Int?
        var missingStatus: Int?
        var methodJobIds: [String]
        var cancelledJobIds: [String]
    }

    /// What `python/hub_bulk_registry.py` prints.
    struct BulkReport: Decodable, Sendable {
        struct Created: Decodable, Sendable {
            var isSuccessful: Bool?
            var errors: Int
        }

        struct Failure: Decodable, Sendable, Equatable {
            var deviceId: String
            var errorCode: String
            var hasStatus: Bool
        }

        struct Mixed: Decodable, Sendable {
            var isSuccessful: Bool?
            var errors: [Failure]
            var warnings: Int
        }

        var created: Created
        var ownKeyKept: Bool
        var mixed: Mixed
        var state: [String: String]
        var etag3Unchanged: Bool
        var ownKeyAfter: Bool
        var twiceSuccessful: Bool?
        var bulk7AfterTwice: String
        var tooManySuccessful: Bool?
        var tooManyCreated: Int?
    }

    @Test("twin-update and method jobs over a tag query, a scheduled job cancelled, a running job cancelled, job queries")
    func twinAndMethodJobs() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "hub_jobs.py", [server.connection.trustBundle, hub.serviceConnectionString], as: JobsReport.self, timeout: .seconds(240))

        #expect(report.slowCreated)
        #expect(report.twinCreated.jobId == "twin-north" && report.twinCreated.type == "scheduleUpdateTwin")
        #expect(["queued", "scheduled", "running"].contains(report.twinCreated.status))
        // Every north device, connected or not, got the update exactly once; the south one none.
        #expect(report.twinJob.status == "completed" && report.twinJob.hasEndTime)
        #expect(report.twinJob.statistics == .init(deviceCount: 5, failedCount: 0, succeededCount: 5, runningCount: 0, pendingCount: 0))
        #expect(report.twinJob.queryCondition == "tags.site = 'north'")
        for id in ["job-live-0", "job-live-1", "job-live-2", "job-off-0", "job-off-1"] {
            #expect(report.twins[id]?.fw == "2.0" && report.twins[id]?.updated == true, "\(id): \(String(describing: report.twins[id]))")
            #expect(report.twins[id]?.versionDelta == 1, "\(id) desired $version moved by \(String(describing: report.twins[id]?.versionDelta))")
        }
        #expect(report.twins["job-south"]?.fw == nil && report.twins["job-south"]?.versionDelta == 0)
        #expect(report.devicesNotified, "every connected device receives the job's desired patch")
        #expect(report.duplicateStatus == 409)
        // Connected devices answer; the offline ones fail (not online, no connect timeout).
        #expect(report.methodJob.status == "completed")
        #expect(report.methodJob.statistics == .init(deviceCount: 5, failedCount: 2, succeededCount: 3, runningCount: 0, pendingCount: 0))
        #expect(report.laterBeforeCancel == "scheduled")
        #expect(report.laterCancelled.status == "cancelled" && report.laterCancelled.statistics.deviceCount == 0)
        // Cancelled while its first calls wait for devices to connect: nothing is left pending; the calls under way
        // end as failures (the devices never connect), the rest never start.
        #expect(report.slowRunning == "running")
        #expect(report.slowJob.status == "cancelled" && report.slowJob.statistics.pendingCount == 0)
        #expect(report.slowJob.statistics.deviceCount == 40)
        let later = report.slowJobLater.statistics
        #expect(report.slowJobLater.status == "cancelled" && later.runningCount == 0 && later.pendingCount == 0)
        #expect(later.failedCount == report.slowJob.statistics.failedCount + report.slowJob.statistics.runningCount)
        #expect(later.succeededCount == 0 && later.failedCount < 40)
        #expect(report.badConditionStatus == 400)
        #expect(report.missingStatus == 404)
        #expect(report.methodJobIds == ["method-north", "method-slow"])
        #expect(report.cancelledJobIds == ["later", "method-slow"])
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    @Test("bulk_create_or_update_devices: create, update, delete with and without etags; per-device errors; whole-call refusals")
    func bulkRegistry() async throws {
        let server = try await ServerProcess.start()
        let hub = try #require(server.connection.hubs.first)
        let report = try await PythonRunner.run(
            "hub_bulk_registry.py", [server.connection.trustBundle, hub.serviceConnectionString], as: BulkReport.self)

        #expect(report.created.isSuccessful == true && report.created.errors == 0)
        #expect(report.ownKeyKept)
        #expect(report.mixed.isSuccessful == false)
        #expect(report.mixed.errors == [
            .init(deviceId: "bulk-1", errorCode: "DeviceAlreadyExists", hasStatus: true),
            .init(deviceId: "bulk-3", errorCode: "PreconditionFailed", hasStatus: true),
            .init(deviceId: "bulk-6", errorCode: "PreconditionFailed", hasStatus: true),
            .init(deviceId: "bulk-missing", errorCode: "DeviceNotFound", hasStatus: true),
        ])
        #expect(report.mixed.warnings == 0)
        #expect(report.state == [
            "bulk-new": "enabled", "bulk-1": "enabled", "bulk-2": "disabled", "bulk-3": "enabled",
            "bulk-4": "disabled", "bulk-5": "absent", "bulk-6": "enabled", "bulk-7": "enabled",
        ])
        #expect(report.etag3Unchanged, "a stale etag leaves the device untouched")
        #expect(report.ownKeyAfter, "a failed create of an existing device leaves its keys")
        #expect(report.twiceSuccessful != true && report.bulk7AfterTwice == "enabled", "a device named twice refuses the call")
        #expect(report.tooManySuccessful != true && report.tooManyCreated == 404, "101 devices refuse the call")
        #expect(try await server.stop() == .exited(0), "stderr: \(server.stderrText)")
    }

    /// What `python/job_crash.py` prints.
    struct CrashStatistics: Decodable, Sendable {
        var status: String
        var deviceCount: Int?
        var succeededCount: Int?
        var failedCount: Int?
        var pendingCount: Int?
    }

    struct CrashVerification: Decodable, Sendable {
        var job: CrashStatistics
        var devices: Int
        var updatedOnce: Int
        var notUpdated: [String]
        var updatedMoreThanOnce: [String]
    }

    struct CrashSetup: Decodable, Sendable {
        var created: Int
    }

    @Test("kill -9 in the middle of a twin-update job: after a restart every device is updated exactly once")
    func killDuringTwinJob() async throws {
        let count = 10_000
        let dataDirectory = try TemporaryDirectory(prefix: "job-crash")
        let addresses = ServerAddresses.unique()
        let server = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let hub = try #require(server.connection.hubs.first)
        let arguments = [server.connection.trustBundle, hub.serviceConnectionString]
        let setup = try await PythonRunner.run("job_crash.py", arguments + ["setup", String(count)], as: CrashSetup.self,
                                               timeout: .seconds(240))
        #expect(setup.created == count)
        let seen = try await PythonRunner.run("job_crash.py", arguments + ["start"], as: CrashStatistics.self)
        #expect(try await server.stop(signal: SIGKILL) == .signalled(SIGKILL))
        // The kill came after the first committed batch; the job had not finished when the client looked.
        #expect(seen.status == "running" && (seen.succeededCount ?? 0) > 0 && (seen.succeededCount ?? 0) < count,
                "the job was not caught in the middle: \(seen)")

        let restarted = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let restartedHub = try #require(restarted.connection.hubs.first)
        let report = try await PythonRunner.run(
            "job_crash.py", [restarted.connection.trustBundle, restartedHub.serviceConnectionString, "verify"],
            as: CrashVerification.self, timeout: .seconds(240))
        #expect(report.job.status == "completed")
        #expect(report.job.deviceCount == count && report.job.succeededCount == count && report.job.failedCount == 0)
        #expect(report.devices == count)
        #expect(report.updatedOnce == count)
        #expect(report.notUpdated.isEmpty, "never updated: \(report.notUpdated)")
        #expect(report.updatedMoreThanOnce.isEmpty, "updated more than once: \(report.updatedMoreThanOnce)")
        #expect(try await restarted.stop() == .exited(0))
    }
}
