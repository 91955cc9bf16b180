import Foundation
import GRDB
import Hub
import Provisioning

extension ProvisioDatabase: DeviceJobStore {
    /// v14: scheduled jobs (jobs v2) and each target device's step, so a job resumes after a crash where it stopped.
    static func registerScheduledJobMigration(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v14-jobs") { db in
            try db.create(table: "hub_job") { table in
                table.column("shard", .text).notNull()
                table.column("job_id", .text).notNull()
                table.column("type", .text).notNull()
                table.column("status", .text).notNull()
                table.column("created", .double).notNull()
                table.column("json", .text).notNull()
                table.primaryKey(["shard", "job_id"])
            }
            // Steps are keyed by device key (lowercased id) like hub_device; device_id keeps the spelling.
            try db.create(table: "hub_job_device") { table in
                table.column("shard", .text).notNull()
                table.column("job_id", .text).notNull()
                table.column("device_key", .text).notNull()
                table.column("device_id", .text).notNull()
                table.column("status", .text).notNull()
                table.column("created", .double).notNull()
                table.column("started", .double)
                table.column("ended", .double)
                table.column("updated", .double).notNull()
                table.column("outcome_json", .text)
                table.column("error_json", .text)
                table.primaryKey(["shard", "job_id", "device_key"])
            }
            // The runner's next batch and the statistics read the steps of one job by status.
            try db.create(index: "hub_job_device_on_status", on: "hub_job_device", columns: ["shard", "job_id", "status", "device_key"])
            // devices.jobs lists the steps of a device.
            try db.create(index: "hub_job_device_on_device", on: "hub_job_device", columns: ["shard", "device_key", "job_id"])
        }
    }

    /// Stores a new job; false when the id is taken.
    public func insertJob(shard: String, job: ScheduledJob) async throws -> Bool {
        let json = try StoredJSON().encode(job, record: Self.describeJob(job.jobId, shard: shard))
        return try await pool.write { db in
            try db.execute(sql: """
                INSERT INTO hub_job (shard, job_id, type, status, created, json) VALUES (?, ?, ?, ?, ?, ?)
                ON CONFLICT(shard, job_id) DO NOTHING
                """, arguments: [shard, job.jobId, job.type.rawValue, job.status.rawValue, job.createdTime.timeIntervalSince1970, json])
            return db.changesCount > 0
        }
    }

    /// One job.
    public func job(shard: String, jobId: String) async throws -> ScheduledJob? {
        try await pool.read { db in
            guard let json = try String.fetchOne(db, sql: "SELECT json FROM hub_job WHERE shard = ? AND job_id = ?", arguments: [shard, jobId])
            else { return nil }
            return try StoredJSON().decode(ScheduledJob.self, from: json, record: Self.describeJob(jobId, shard: shard))
        }
    }

    /// Jobs of a shard, newest first.
    public func jobs(shard: String, type: ScheduledJob.Kind?, status: ScheduledJob.Status?) async throws -> [ScheduledJob] {
        try await pool.read { db in
            var sql = "SELECT job_id, json FROM hub_job WHERE shard = ?"
            var arguments: StatementArguments = [shard]
            if let type {
                sql += " AND type = ?"
                arguments += [type.rawValue]
            }
            if let status {
                sql += " AND status = ?"
                arguments += [status.rawValue]
            }
            sql += " ORDER BY created DESC, job_id"
            let coder = StoredJSON()
            return try Row.fetchAll(db, sql: sql, arguments: arguments).map { row in
                try coder.decode(ScheduledJob.self, from: row["json"], record: Self.describeJob(row["job_id"], shard: shard))
            }
        }
    }

    /// Replaces a job's state (unless it is final, with `unlessFinal`).
    public func updateJob(shard: String, job: ScheduledJob, unlessFinal: Bool) async throws -> Bool {
        let json = try StoredJSON().encode(job, record: Self.describeJob(job.jobId, shard: shard))
        return try await pool.write { db in
            try Self.updateJob(db, shard: shard, job: job, json: json, unlessFinal: unlessFinal)
        }
    }

    /// Marks the job running and stores its targets, in one transaction.
    public func startJob(shard: String, job: ScheduledJob, targets: [String]) async throws -> Bool {
        let json = try StoredJSON().encode(job, record: Self.describeJob(job.jobId, shard: shard))
        let time = job.startTime.timeIntervalSince1970
        return try await pool.write { db in
            guard try Self.updateJob(db, shard: shard, job: job, json: json, unlessFinal: true) else { return false }
            let insert = try db.cachedStatement(sql: """
                INSERT INTO hub_job_device (shard, job_id, device_key, device_id, status, created, updated)
                VALUES (?, ?, ?, ?, 'scheduled', ?, ?) ON CONFLICT DO NOTHING
                """)
            for deviceId in targets {
                try insert.execute(arguments: [shard, job.jobId, deviceId.lowercased(), deviceId, time, time])
            }
            return true
        }
    }

    /// The next steps still `scheduled`, in key order.
    public func scheduledDevices(shard: String, jobId: String, limit: Int) async throws -> [String] {
        try await pool.read { db in
            try String.fetchAll(db, sql: """
                SELECT device_id FROM hub_job_device WHERE shard = ? AND job_id = ? AND status = 'scheduled'
                ORDER BY device_key LIMIT ?
                """, arguments: [shard, jobId, limit])
        }
    }

    /// Marks scheduled steps running; returns the ids marked.
    public func startSteps(shard: String, jobId: String, deviceIds: [String], at time: Date) async throws -> Set<String> {
        try await pool.write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE hub_job_device SET status = 'running', started = ?, updated = ?
                WHERE shard = ? AND job_id = ? AND device_key = ? AND status = 'scheduled'
                """)
            let stamp = time.timeIntervalSince1970
            var started = Set<String>()
            for deviceId in deviceIds {
                try update.execute(arguments: [stamp, stamp, shard, jobId, deviceId.lowercased()])
                if db.changesCount > 0 { started.insert(deviceId) }
            }
            return started
        }
    }

    /// Puts running steps back to scheduled.
    public func rescheduleRunningSteps(shard: String, jobId: String) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE hub_job_device SET status = 'scheduled', started = NULL WHERE shard = ? AND job_id = ? AND status = 'running'
                """, arguments: [shard, jobId])
        }
    }

    /// Records ended steps; a step already ended keeps its result.
    public func recordSteps(shard: String, jobId: String, results: [DeviceJobStepResult], at time: Date) async throws {
        let coder = StoredJSON()
        let rows = try results.map { result in
            (result, try result.outcome.map { try coder.encode($0, record: "outcome of \(result.deviceId)") },
             try result.error.map { try coder.encode($0, record: "error of \(result.deviceId)") })
        }
        try await pool.write { db in
            let update = try db.cachedStatement(sql: """
                UPDATE hub_job_device SET status = ?, started = COALESCE(started, ?), ended = ?, updated = ?, outcome_json = ?, error_json = ?
                WHERE shard = ? AND job_id = ? AND device_key = ? AND status IN ('scheduled', 'running')
                """)
            let stamp = time.timeIntervalSince1970
            for (result, outcome, error) in rows {
                try update.execute(arguments: [result.status.rawValue, stamp, stamp, stamp, outcome, error,
                                               shard, jobId, result.deviceId.lowercased()])
            }
        }
    }

    /// Writes the twins of steps still scheduled, their events and the steps' completion, in one transaction.
    public func commitTwinSteps(shard: String, jobId: String, writes: [DeviceJobTwinWrite], events: [TelemetryMessage],
                                at time: Date) async throws -> Set<String> {
        let coder = StoredJSON()
        let rows = try writes.map { write in
            let record = "device '\(write.identity.deviceId)' on shard '\(shard)'"
            return (write.identity.deviceId, try coder.encode(write.identity, record: record), try coder.encode(write.twin, record: "twin of \(record)"))
        }
        let eventRows = try events.map(Self.hubEventRow)
        return try await pool.write { db in
            let complete = try db.cachedStatement(sql: """
                UPDATE hub_job_device SET status = 'completed', started = ?, ended = ?, updated = ?
                WHERE shard = ? AND job_id = ? AND device_key = ? AND status = 'scheduled'
                """)
            let save = try db.cachedStatement(sql: """
                INSERT INTO hub_device (shard, device_key, identity_json, twin_json) VALUES (?, ?, ?, ?)
                ON CONFLICT(shard, device_key) DO UPDATE SET identity_json = excluded.identity_json, twin_json = excluded.twin_json
                """)
            let stamp = time.timeIntervalSince1970
            var written = Set<String>()
            for (deviceId, identityJSON, twinJSON) in rows {
                // The step's completion and the twin commit together: a step already ended is never written again.
                try complete.execute(arguments: [stamp, stamp, stamp, shard, jobId, deviceId.lowercased()])
                guard db.changesCount > 0 else { continue }
                try save.execute(arguments: [shard, deviceId.lowercased(), identityJSON, twinJSON])
                written.insert(deviceId)
            }
            let kept = eventRows.filter { written.contains($0.message.deviceId) }
            try Self.insertHubEvents(kept, db)
            return written
        }
    }

    /// Ends every step still scheduled with `status`.
    public func endScheduledSteps(shard: String, jobId: String, status: DeviceJobRecord.Status, at time: Date) async throws {
        try await pool.write { db in
            try db.execute(sql: """
                UPDATE hub_job_device SET status = ?, updated = ? WHERE shard = ? AND job_id = ? AND status = 'scheduled'
                """, arguments: [status.rawValue, time.timeIntervalSince1970, shard, jobId])
        }
    }

    /// Counts of a job's steps by status.
    public func statistics(shard: String, jobId: String) async throws -> DeviceJobStatistics {
        try await pool.read { db in
            var statistics = DeviceJobStatistics()
            for row in try Row.fetchAll(db, sql: """
                SELECT status, COUNT(*) AS n FROM hub_job_device WHERE shard = ? AND job_id = ? GROUP BY status
                """, arguments: [shard, jobId]) {
                let count: Int = row["n"]
                statistics.deviceCount += count
                switch DeviceJobRecord.Status(rawValue: row["status"]) {
                case .scheduled: statistics.pendingCount += count
                case .running: statistics.runningCount += count
                case .completed: statistics.succeededCount += count
                case .failed: statistics.failedCount += count
                case .cancelled, nil: break
                }
            }
            return statistics
        }
    }

    /// Device steps (of one device, or all), in device-then-job order after `cursor`.
    public func deviceJobs(shard: String, deviceId: String?, after cursor: DeviceJobCursor?, limit: Int) async throws -> [DeviceJobRecord] {
        try await pool.read { db in
            var sql = """
                SELECT d.*, j.type FROM hub_job_device d JOIN hub_job j ON j.shard = d.shard AND j.job_id = d.job_id
                WHERE d.shard = ?
                """
            var arguments: StatementArguments = [shard]
            if let deviceId {
                sql += " AND d.device_key = ?"
                arguments += [deviceId.lowercased()]
            }
            if let cursor {
                sql += " AND (d.device_key > ? OR (d.device_key = ? AND d.job_id > ?))"
                arguments += [cursor.deviceId.lowercased(), cursor.deviceId.lowercased(), cursor.jobId]
            }
            sql += " ORDER BY d.device_key, d.job_id LIMIT ?"
            arguments += [limit]
            let coder = StoredJSON()
            return try Row.fetchAll(db, sql: sql, arguments: arguments).compactMap { row -> DeviceJobRecord? in
                guard let type = ScheduledJob.Kind(rawValue: row["type"]), let status = DeviceJobRecord.Status(rawValue: row["status"])
                else { return nil }
                let deviceId: String = row["device_id"]
                let started: Double? = row["started"]
                let ended: Double? = row["ended"]
                let outcome: String? = row["outcome_json"]
                let error: String? = row["error_json"]
                return DeviceJobRecord(
                    deviceId: deviceId, jobId: row["job_id"], jobType: type, status: status,
                    createdTime: Date(timeIntervalSince1970: row["created"]), startTime: started.map(Date.init(timeIntervalSince1970:)),
                    endTime: ended.map(Date.init(timeIntervalSince1970:)), lastUpdatedTime: Date(timeIntervalSince1970: row["updated"]),
                    outcome: try outcome.map { try coder.decode(JSONValue.self, from: $0, record: "job outcome of \(deviceId)") },
                    error: try error.map { try coder.decode(JSONValue.self, from: $0, record: "job error of \(deviceId)") })
            }
        }
    }

    private static func updateJob(_ db: Database, shard: String, job: ScheduledJob, json: String, unlessFinal: Bool) throws -> Bool {
        var sql = "UPDATE hub_job SET status = ?, json = ? WHERE shard = ? AND job_id = ?"
        if unlessFinal { sql += " AND status NOT IN ('completed', 'failed', 'cancelled')" }
        try db.execute(sql: sql, arguments: [job.status.rawValue, json, shard, job.jobId])
        return db.changesCount > 0
    }

    private static func describeJob(_ jobId: String, shard: String) -> String {
        "job '\(jobId)' on shard '\(shard)'"
    }
}
