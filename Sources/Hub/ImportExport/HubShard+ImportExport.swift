import Foundation
import Provisioning

extension HubShard {
    /// Queues an import or export job (`POST /jobs/create`); the shard's runner picks it up.
    public func createImportExportJob(_ job: ImportExportJob) async throws -> ImportExportJob {
        let store = try importExportJobs()
        switch job.type {
        case .export:
            guard job.outputBlobContainerUri?.isEmpty == false else { throw HubError.badRequest("an export job needs outputBlobContainerUri") }
        case .import:
            guard job.inputBlobContainerUri?.isEmpty == false, job.outputBlobContainerUri?.isEmpty == false else {
                throw HubError.badRequest("an import job needs inputBlobContainerUri and outputBlobContainerUri")
            }
        }
        if let type = job.storageAuthenticationType, type.lowercased() != "keybased" {
            throw HubError.badRequest("storageAuthenticationType '\(type)' is not supported; use keyBased (a container SAS URI)")
        }
        // An unfinished job of either kind blocks a new one, as IoT Hub allows one at a time.
        if try await store.importExportJobs(shard: name).contains(where: { !$0.status.isFinal }) {
            throw HubError(status: 409, errorCode: 409_005, name: "JobQuotaExceeded", message: "an import or export job is already running on this hub")
        }
        guard try await store.insertImportExportJob(job, shard: name) else {
            throw HubError(status: 409, errorCode: 409_001, name: "JobAlreadyExists", message: "job \(job.jobId) already exists")
        }
        importExportWakeup.signal()
        return job
    }

    /// One job.
    public func importExportJob(_ jobId: String) async throws -> ImportExportJob {
        guard let job = try await importExportJobs().importExportJob(shard: name, jobId: jobId) else {
            throw HubError(status: 404, errorCode: 404_002, name: "JobNotFound", message: "job \(jobId) does not exist on this hub")
        }
        return job
    }

    /// Every import and export job, oldest first.
    public func importExportJobList() async throws -> [ImportExportJob] {
        try await importExportJobs().importExportJobs(shard: name)
    }

    /// Cancels a job that has not ended (`DELETE /jobs/{id}`); the runner stops at its next batch.
    public func cancelImportExportJob(_ jobId: String) async throws -> ImportExportJob {
        var job = try await importExportJob(jobId)
        guard !job.status.isFinal else { return job }
        job.status = .cancelled
        job.endTimeUtc = RegistrationTimestamp.string(now())
        try await importExportJobs().updateImportExportJob(job, shard: name)
        importExportWakeup.signal()
        return job
    }

    func importExportJobs() throws -> any ImportExportJobStore {
        guard let importExportStore else {
            throw HubError(status: 501, errorCode: 501_000, name: "NotImplemented", message: "this shard keeps no import or export jobs")
        }
        return importExportStore
    }
}
