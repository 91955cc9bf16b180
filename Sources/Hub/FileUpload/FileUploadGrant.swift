import Foundation

/// The answer to `POST /devices/{id}/files`: where the device uploads, as IoT Hub's JSON names it.
public struct FileUploadGrant: Sendable, Equatable, Codable {
    /// Echoed in the notification.
    public var correlationId: String
    /// `host[:port]` of the blob endpoint (the shard itself).
    public var hostName: String
    /// The container.
    public var containerName: String
    /// `{deviceId}/{name}`.
    public var blobName: String
    /// `?sv=…&sr=b&sig=…&se=…&sp=rw`.
    public var sasToken: String
}
