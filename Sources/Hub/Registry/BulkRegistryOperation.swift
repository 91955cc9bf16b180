/// One device of a bulk registry call (`POST /devices`, IoT Hub's `ExportImportDevice`).
public struct BulkRegistryOperation: Sendable {
    /// What to do with the device (`importMode`).
    public enum Mode: String, Sendable, CaseIterable {
        /// Register; the device must not exist.
        case create
        /// Replace the identity whatever its etag; the device must exist.
        case update
        /// Replace the identity if its etag matches `eTag`.
        case updateIfMatchETag
        /// Delete whatever its etag.
        case delete
        /// Delete if its etag matches `eTag`.
        case deleteIfMatchETag
    }

    /// Device id.
    public var deviceId: String
    /// The operation.
    public var mode: Mode
    /// The etag the `…IfMatchETag` modes compare.
    public var eTag: String?
    /// The identity to create or update, or why the request's description of it is invalid (reported for this
    /// device alone).
    public var specification: Result<DeviceSpecification, HubError>

    /// Creates an operation.
    public init(deviceId: String, mode: Mode, eTag: String?, specification: Result<DeviceSpecification, HubError>) {
        self.deviceId = deviceId
        self.mode = mode
        self.eTag = eTag
        self.specification = specification
    }
}

/// A bulk registry operation that failed: IoT Hub's `DeviceRegistryOperationError`.
public struct BulkRegistryFailure: Sendable, Equatable {
    /// Device id.
    public var deviceId: String
    /// The operation asked for.
    public var mode: BulkRegistryOperation.Mode
    /// Why (its `name` is the wire `errorCode`, its message the `errorStatus`).
    public var error: HubError

    /// Creates a failure.
    public init(deviceId: String, mode: BulkRegistryOperation.Mode, error: HubError) {
        self.deviceId = deviceId
        self.mode = mode
        self.error = error
    }
}
