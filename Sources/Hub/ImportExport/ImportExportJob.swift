import Foundation

/// An import or export job (`POST /jobs/create`), in the wire shape of IoT Hub's `JobProperties`.
public struct ImportExportJob: Codable, Sendable, Equatable {
    /// `export` or `import`.
    public enum Kind: String, Codable, Sendable {
        case export
        case `import`
    }

    /// Azure's job states.
    public enum Status: String, Codable, Sendable {
        case enqueued, running, completed, failed, cancelled
        /// Whether the job has ended.
        public var isFinal: Bool { self == .completed || self == .failed || self == .cancelled }
    }

    /// Job id.
    public var jobId: String
    /// Export or import.
    public var type: Kind
    /// State.
    public var status: Status
    /// Per cent done, 0–100.
    public var progress: Int
    /// When it was created (ISO 8601).
    public var startTimeUtc: String
    /// When it ended.
    public var endTimeUtc: String?
    /// The import's input container (SAS URI).
    public var inputBlobContainerUri: String?
    /// The input blob (default `devices.txt`).
    public var inputBlobName: String?
    /// The container written to (SAS URI).
    public var outputBlobContainerUri: String?
    /// The output blob (export default `devices.txt`; import errors go to `importErrors.log`).
    public var outputBlobName: String?
    /// Export without keys.
    public var excludeKeysInExport: Bool
    /// Only `keyBased` is supported.
    public var storageAuthenticationType: String?
    /// Why it failed.
    public var failureReason: String?
    /// Devices imported or exported so far.
    public var deviceCount: Int?
    /// Import lines that failed.
    public var errorCount: Int?

    /// Creates an enqueued job.
    public init(jobId: String, type: Kind, startTimeUtc: String, inputBlobContainerUri: String?, inputBlobName: String?,
                outputBlobContainerUri: String?, outputBlobName: String?, excludeKeysInExport: Bool, storageAuthenticationType: String?) {
        self.jobId = jobId
        self.type = type
        status = .enqueued
        progress = 0
        self.startTimeUtc = startTimeUtc
        self.inputBlobContainerUri = inputBlobContainerUri
        self.inputBlobName = inputBlobName
        self.outputBlobContainerUri = outputBlobContainerUri
        self.outputBlobName = outputBlobName
        self.excludeKeysInExport = excludeKeysInExport
        self.storageAuthenticationType = storageAuthenticationType
    }

    /// The job as the service API shows it: container URIs without their SAS signature (a credential).
    public var redacted: ImportExportJob {
        var copy = self
        copy.inputBlobContainerUri = inputBlobContainerUri.map(Self.withoutSignature)
        copy.outputBlobContainerUri = outputBlobContainerUri.map(Self.withoutSignature)
        return copy
    }

    static func withoutSignature(_ uri: String) -> String {
        guard var components = URLComponents(string: uri) else { return "" }
        components.queryItems = components.queryItems?.map { $0.name == "sig" ? URLQueryItem(name: "sig", value: "REDACTED") : $0 }
        return components.string ?? ""
    }
}
