import AccessControl
import Foundation
import Provisioning

/// A shard's file uploads, as IoT Hub runs them: a device asks for a blob SAS (at most `concurrentUploadsPerDevice`
/// open at once), writes the blob through the Blob REST API the shard serves, and reports the outcome, which is kept
/// and — when the shard's notifications are on — queued for the service's file-notification receiver.
public actor FileUploads {
    /// The shard.
    public nonisolated let shard: HubShard
    /// Its settings.
    public nonisolated let settings: FileUploadSettings
    /// Where the files live.
    public nonisolated let store: any BlobStore
    nonisolated let ledger: any FileUploadLedger
    nonisolated let key: SharedAccessKey
    nonisolated let now: @Sendable () -> Date
    /// Open uploads per device: correlation id → SAS expiry. Loaded from the ledger on first use.
    private var open: [String: [String: Date]]?
    private var lastSweep: Date?

    /// Creates the service; `key` signs the blob SAS tokens (the storage account key).
    public init(shard: HubShard, settings: FileUploadSettings, store: any BlobStore, ledger: any FileUploadLedger, key: SharedAccessKey,
                now: @escaping @Sendable () -> Date = Date.init) {
        self.shard = shard
        self.settings = settings
        self.store = store
        self.ledger = ledger
        self.key = key
        self.now = now
    }

    /// The storage account name the SAS is scoped to (the shard name).
    public nonisolated var accountName: String { shard.name }

    /// Grants `deviceId` an upload of `name` to `hostName` (the shard's HTTPS host the device reached).
    public func initiate(deviceId: String, name: String, hostName: String) async throws -> FileUploadGrant {
        _ = try await shard.device(deviceId)
        try Self.validate(name: name)
        let blobName = "\(deviceId)/\(name)"
        try Self.validate(name: blobName)
        let at = now()
        try sweepIfDue(at: at)
        var open = try openUploads(at: at)
        var mine = (open[deviceId] ?? [:]).filter { $0.value > at }
        guard mine.count < settings.concurrentUploadsPerDevice else {
            throw HubError(status: 403, errorCode: 403_006, name: "DeviceMaximumActiveFileUploadLimitExceeded",
                           message: "device \(deviceId) already has \(settings.concurrentUploadsPerDevice) file uploads in progress")
        }
        let expiry = at.addingTimeInterval(settings.sasLifetime)
        let record = FileUploadRecord(correlationId: UUID().uuidString.lowercased(), deviceId: deviceId, hostName: hostName,
                                      containerName: settings.containerName, blobName: blobName, createdTime: at, expiryTime: expiry)
        try ledger.saveUpload(record, shard: shard.name)
        mine[record.correlationId] = expiry
        open[deviceId] = mine
        self.open = open
        let sas = BlobServiceSignature.issue(account: accountName, container: settings.containerName, blob: blobName,
                                             permissions: "rw", expiry: expiry, key: key)
        return FileUploadGrant(correlationId: record.correlationId, hostName: hostName, containerName: settings.containerName,
                               blobName: blobName, sasToken: sas)
    }

    /// Records the device's report on an upload (durable) and, for a success with notifications on, queues the file
    /// notification. An unknown, foreign or already reported correlation id is a 400.
    public func notify(deviceId: String, correlationId: String, isSuccess: Bool, statusCode: Int?, statusDescription: String?) async throws {
        guard UUID(uuidString: correlationId) != nil,
              var record = try ledger.upload(correlationId: correlationId.lowercased(), shard: shard.name), record.deviceId == deviceId
        else { throw HubError.badRequest("no file upload of device \(deviceId) has correlation id \(correlationId)") }
        guard record.status == .pending else { throw HubError.badRequest("the upload \(correlationId) was already reported") }
        let at = now()
        let blob = isSuccess ? try store.properties(shard: shard.name, container: record.containerName, blob: record.blobName) : nil
        if isSuccess, blob == nil {
            throw HubError.badRequest("the upload \(correlationId) reports success but its blob does not exist")
        }
        record.status = isSuccess ? .succeeded : .failed
        record.statusCode = statusCode
        record.statusDescription = statusDescription.map { String($0.prefix(1024)) }
        record.sizeInBytes = blob?.size
        record.completedTime = at
        try ledger.saveUpload(record, shard: shard.name)
        open?[deviceId]?[record.correlationId] = nil
        if let blob, settings.notificationsEnabled {
            try await shard.recordFileNotification(FileNotification(
                deviceId: deviceId, blobUri: "https://\(record.hostName)/\(record.containerName)/\(record.blobName)",
                blobName: record.blobName, lastUpdatedTime: RegistrationTimestamp.string(blob.lastModified),
                blobSizeInBytes: blob.size, enqueuedTimeUtc: RegistrationTimestamp.string(at)))
        }
    }

    /// Checks a blob request's SAS for `container/blob` and the operation's permission (`r` or `w`); throws the
    /// Blob API's 403/404 `HubError`s.
    public nonisolated func authorize(container: String, blob: String, query: [String: String], permission: Character) throws {
        guard container == settings.containerName else { throw BlobStorageError.containerNotFound() }
        guard let signature = BlobServiceSignature(query: query) else {
            throw BlobStorageError.authenticationFailed("the request carries no shared access signature")
        }
        do {
            try signature.validate(account: accountName, container: container, blob: blob, required: permission, key: key, now: now())
        } catch {
            throw error.code == "AuthorizationPermissionMismatch"
                ? BlobStorageError.permissionMismatch(error.message) : BlobStorageError.authenticationFailed(error.message)
        }
    }

    /// Every upload record of the shard, oldest first.
    public nonisolated func records() throws -> [FileUploadRecord] {
        try ledger.uploads(shard: shard.name)
    }

    /// A blob name: 1–1024 characters, `/`-separated segments of 1–255 bytes other than `.` and `..`, no control characters
    /// or backslashes.
    public static func validate(name: String) throws(HubError) {
        guard !name.isEmpty, name.utf8.count <= 1024 else { throw .badRequest("blobName must be 1 to 1024 characters") }
        guard !name.unicodeScalars.contains(where: { $0.properties.generalCategory == .control || $0 == "\\" }) else {
            throw .badRequest("blobName may not contain control characters or backslashes")
        }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        guard !segments.contains(where: { $0.isEmpty || $0 == "." || $0 == ".." || $0.utf8.count > 255 }) else {
            throw .badRequest("blobName may not have empty, '.', '..' or longer than 255-byte path segments")
        }
    }

    private func openUploads(at: Date) throws -> [String: [String: Date]] {
        if let open { return open }
        var loaded: [String: [String: Date]] = [:]
        for record in try ledger.uploads(shard: shard.name) where record.status == .pending && record.expiryTime > at {
            loaded[record.deviceId, default: [:]][record.correlationId] = record.expiryTime
        }
        open = loaded
        return loaded
    }

    /// Past the retention, files and their records go; checked at most once a minute, on new uploads.
    private func sweepIfDue(at: Date) throws {
        guard let retention = settings.retention else { return }
        if let lastSweep, at.timeIntervalSince(lastSweep) < 60 { return }
        lastSweep = at
        for record in try ledger.uploads(shard: shard.name) where record.createdTime.addingTimeInterval(retention) <= at {
            try store.remove(shard: shard.name, container: record.containerName, blob: record.blobName)
            try ledger.removeUpload(correlationId: record.correlationId, shard: shard.name)
        }
    }
}
