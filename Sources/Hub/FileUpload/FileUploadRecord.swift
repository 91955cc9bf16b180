import Foundation

/// One device upload from `POST /devices/{id}/files` to its notification: kept durably with the outcome.
public struct FileUploadRecord: Sendable, Equatable, Codable {
    /// Where an upload stands.
    public enum Status: String, Sendable, Codable {
        case pending, succeeded, failed
    }

    /// The id the device echoes in its notification.
    public var correlationId: String
    /// The uploading device.
    public var deviceId: String
    /// The host the device was told to upload to (`host[:port]`).
    public var hostName: String
    /// The container.
    public var containerName: String
    /// `{deviceId}/{name}`.
    public var blobName: String
    /// When the device asked for the SAS.
    public var createdTime: Date
    /// When the SAS lapses (and the upload stops counting against the device's limit).
    public var expiryTime: Date
    /// The outcome so far.
    public var status: Status
    /// The device's `statusCode` (informational: the C SDK always sends 400).
    public var statusCode: Int?
    /// The device's `statusDescription`.
    public var statusDescription: String?
    /// The blob's size when the device reported success.
    public var sizeInBytes: Int64?
    /// When the device reported the outcome.
    public var completedTime: Date?

    /// Creates a pending upload.
    public init(correlationId: String, deviceId: String, hostName: String, containerName: String, blobName: String, createdTime: Date,
                expiryTime: Date) {
        self.correlationId = correlationId
        self.deviceId = deviceId
        self.hostName = hostName
        self.containerName = containerName
        self.blobName = blobName
        self.createdTime = createdTime
        self.expiryTime = expiryTime
        self.status = .pending
    }
}
