import Foundation

/// A shard's file-upload settings.
public struct FileUploadSettings: Sendable, Equatable {
    /// The container every upload of the shard lands in.
    public var containerName: String
    /// Whether a successful upload queues a notification for `/messages/serviceBound/filenotifications`.
    public var notificationsEnabled: Bool
    /// The largest file a device may upload (bigger writes are a 413).
    public var maximumFileBytes: Int64
    /// How long an upload's SAS (and its slot in the per-device limit) lasts.
    public var sasLifetime: TimeInterval
    /// How long files and their upload records are kept; nil keeps them.
    public var retention: TimeInterval?
    /// Uploads a device may have open at once (IoT Hub's 10).
    public var concurrentUploadsPerDevice: Int

    /// Creates settings; the defaults are IoT Hub's where it has one.
    public init(containerName: String = "fileuploads", notificationsEnabled: Bool = true, maximumFileBytes: Int64 = 1 << 30,
                sasLifetime: TimeInterval = 3600, retention: TimeInterval? = nil, concurrentUploadsPerDevice: Int = 10) {
        self.containerName = containerName
        self.notificationsEnabled = notificationsEnabled
        self.maximumFileBytes = maximumFileBytes
        self.sasLifetime = sasLifetime
        self.retention = retention
        self.concurrentUploadsPerDevice = concurrentUploadsPerDevice
    }
}
