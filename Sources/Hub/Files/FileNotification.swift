import Foundation

/// A completed device file upload, as the file-notification receiver delivers it (IoT Hub's JSON shape; C# reads every
/// field). Dates are ISO 8601 text, as in feedback records.
public struct FileNotification: Sendable, Equatable, Codable {
    /// The uploading device.
    public var deviceId: String
    /// `https://{account}/{container}/{blobName}`.
    public var blobUri: String
    /// `{deviceId}/{name}`.
    public var blobName: String
    /// When the blob was last written.
    public var lastUpdatedTime: String
    /// The blob's size.
    public var blobSizeInBytes: Int64
    /// When the hub recorded the notification.
    public var enqueuedTimeUtc: String

    /// Creates a notification.
    public init(deviceId: String, blobUri: String, blobName: String, lastUpdatedTime: String, blobSizeInBytes: Int64,
                enqueuedTimeUtc: String) {
        self.deviceId = deviceId
        self.blobUri = blobUri
        self.blobName = blobName
        self.lastUpdatedTime = lastUpdatedTime
        self.blobSizeInBytes = blobSizeInBytes
        self.enqueuedTimeUtc = enqueuedTimeUtc
    }
}
