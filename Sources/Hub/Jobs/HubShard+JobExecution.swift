import Foundation
import Provisioning

extension HubShard {
    /// Devices a job works on per step batch: one transaction writes a whole batch of twins.
    static let jobBatchSize = 100
    /// Method calls of one job in flight at once.
    static let jobMethodConcurrency = 32

    /// Runs one due job to its end: selects and stores its targets on first start, then works through the devices
    /// still `scheduled`, a batch at a time, until none is left, the job is cancelled or it runs out of time. Called
    /// again after a restart, it continues with the steps not yet committed.
    public func runScheduledJob(_ jobId: String) async throws {
        let store = try jobStorage()
        guard var job = try await store.job(shard: name, jobId: jobId), !job.status.isFinal else { return }
        if job.status != .running {
            job.status = .running
            job.statusMessage = nil
            let targets = try await jobTargets(job)
            guard try await store.startJob(shard: name, job: job, targets: targets) else { return }
        } else {
            // Resumed (the runner runs a job in one task at a time): calls under way when the process stopped go again.
            try await store.rescheduleRunningSteps(shard: name, jobId: jobId)
        }
        while true {
            guard let current = try await store.job(shard: name, jobId: jobId), current.status == .running else { return }
            if now() >= job.deadline {
                try await store.endScheduledSteps(shard: name, jobId: jobId, status: .cancelled, at: now())
                try await finish(job, status: .failed, reason: "the job ran past maxExecutionTimeInSeconds before reaching every device")
                return
            }
            let batch = try await store.scheduledDevices(shard: name, jobId: jobId, limit: Self.jobBatchSize)
            if batch.isEmpty {
                try await finish(job, status: .completed, reason: nil)
                return
            }
            switch job.type {
            case .scheduleUpdateTwin: try await applyTwinUpdate(job, to: batch, store: store)
            case .scheduleDeviceMethod: try await invokeMethod(job, on: batch, store: store)
            }
        }
    }

    /// The job's target device ids, from the twin query `SELECT * FROM devices WHERE <queryCondition>`.
    func jobTargets(_ job: ScheduledJob) async throws -> [String] {
        var targets: [String] = []
        var continuation: String?
        repeat {
            let page = try await queryTwins(job.targetQuery, pageSize: TwinQueryPage.maximumPageSize, continuationToken: continuation)
            targets += page.items.compactMap { item -> String? in
                if case .string(let deviceId)? = item["deviceId"] { return deviceId }
                return nil
            }
            continuation = page.continuationToken
        } while continuation != nil
        return targets
    }

    private func finish(_ job: ScheduledJob, status: ScheduledJob.Status, reason: String?) async throws {
        var ended = job
        ended.status = status
        ended.failureReason = reason
        ended.endTime = now()
        _ = try await jobStorage().updateJob(shard: name, job: ended, unlessFinal: true)
    }

    /// Merges the job's patch into each twin of the batch and commits all of them, with their steps' completion, in
    /// one transaction. Holding the batch's twin locks (taken in key order, so two jobs cannot deadlock) keeps a
    /// concurrent service PATCH from writing over the job's change or the other way round.
    private func applyTwinUpdate(_ job: ScheduledJob, to batch: [String], store: any DeviceJobStore) async throws {
        let keys = batch.map { Self.twinKey($0, nil) }.sorted()
        let recorder = registry as? EventRecordingDeviceRegistry
        let notifications = try await withTwinLocks(keys[...]) { () -> [(String, JSONValue)] in
            var writes: [DeviceJobTwinWrite] = []
            var events: [TelemetryMessage] = []
            var failures: [DeviceJobStepResult] = []
            var notifications: [(String, JSONValue)] = []
            let time = now()
            for deviceId in batch {
                let (identity, stored) = try await registry.deviceAndTwin(shard: name, deviceId: deviceId)
                guard let identity, let stored else {
                    failures.append(.failed(deviceId, .deviceNotFound(deviceId)))
                    continue
                }
                var twin = stored
                do throws(HubError) {
                    if let tags = job.updateTwin?["tags"]?.objectValue { try twin.patchTags(tags) }
                    if let desired = job.updateTwin?["properties"]?["desired"]?.objectValue {
                        notifications.append((identity.deviceId, try twin.patchDesired(desired, now: time)))
                    }
                } catch {
                    failures.append(.failed(deviceId, error))
                    continue
                }
                twin.etag = Self.newETag()
                writes.append(DeviceJobTwinWrite(identity: identity, twin: twin))
                if let recorder {
                    events += recorder.twinChangeEvents(shard: name, deviceId: identity.deviceId, old: stored, new: twin)
                }
            }
            let written = try await store.commitTwinSteps(shard: name, jobId: job.jobId, writes: writes, events: events, at: time)
            if !failures.isEmpty { try await store.recordSteps(shard: name, jobId: job.jobId, results: failures, at: time) }
            if !events.isEmpty { recorder?.eventsCommitted(shard: name) }
            return notifications.filter { written.contains($0.0) }
        }
        for (deviceId, patch) in notifications {
            await notifier.desiredPropertiesChanged(shard: name, deviceId: deviceId, moduleId: nil, patch: patch)
        }
    }

    private func withTwinLocks<T: Sendable>(_ keys: ArraySlice<String>, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
        guard let first = keys.first else { return try await body() }
        return try await twinLocks.withLock(first) { try await withTwinLocks(keys.dropFirst(), body) }
    }

    /// Calls the job's method on each device of the batch (a few at a time) through the shard's connections, as the
    /// service API's invoke does, and records each answer or failure. Each slice's steps are marked `running` first
    /// (a step cancelled meanwhile is skipped); a crash between a call and its record repeats that call after the
    /// restart: methods are at least once, as in IoT Hub.
    private func invokeMethod(_ job: ScheduledJob, on batch: [String], store: any DeviceJobStore) async throws {
        guard let request = job.cloudToDeviceMethod else { return }
        for start in stride(from: 0, to: batch.count, by: Self.jobMethodConcurrency) {
            let candidates = Array(batch[start..<min(start + Self.jobMethodConcurrency, batch.count)])
            let started = try await store.startSteps(shard: name, jobId: job.jobId, deviceIds: candidates, at: now())
            let slice = candidates.filter { started.contains($0) }
            guard !slice.isEmpty else { continue }
            let results = await withTaskGroup(of: DeviceJobStepResult.self) { group in
                for deviceId in slice {
                    group.addTask {
                        do {
                            let answer = try await invokeMethod(deviceId: deviceId, moduleId: nil, request: request).checked()
                            return DeviceJobStepResult(deviceId: deviceId, status: .completed, outcome: .object([
                                "deviceMethodResponse": .object(["status": .number(Double(answer.status)), "payload": answer.payload ?? .null]),
                            ]))
                        } catch let error as HubError {
                            return .failed(deviceId, error)
                        } catch {
                            return .failed(deviceId, HubError(status: 500, errorCode: 500_001, name: "ServerError",
                                                              message: "the method call could not be completed"))
                        }
                    }
                }
                var collected: [DeviceJobStepResult] = []
                for await result in group { collected.append(result) }
                return collected
            }
            try await store.recordSteps(shard: name, jobId: job.jobId, results: results, at: now())
        }
    }
}
