/// A provisioning failure with its DPS wire mapping (HTTP status and `errorCode`); `message` is public.
public struct ProvisioningError: Error, Sendable, Equatable, CustomStringConvertible {
    /// HTTP-like status (400, 401, 404, 409, 412, 429, 500).
    public var status: Int
    /// DPS error code: status × 1000 + detail.
    public var errorCode: Int
    /// Safe-to-show message.
    public var message: String

    /// Creates an error.
    public init(status: Int, errorCode: Int, message: String) {
        self.status = status
        self.errorCode = errorCode
        self.message = message
    }

    /// Malformed request.
    public static func badRequest(_ message: String, detail: Int = 4) -> ProvisioningError {
        ProvisioningError(status: 400, errorCode: 400_000 + detail, message: message)
    }
    /// Authentication failed (DPS answers 401002 for bad credentials or no matching enrollment).
    public static func unauthorized(_ message: String) -> ProvisioningError {
        ProvisioningError(status: 401, errorCode: 401_002, message: message)
    }
    /// The permission is missing.
    public static func forbidden(_ message: String) -> ProvisioningError {
        ProvisioningError(status: 403, errorCode: 403_000, message: message)
    }
    /// Not found.
    public static func notFound(_ message: String, detail: Int = 0) -> ProvisioningError {
        ProvisioningError(status: 404, errorCode: 404_000 + detail, message: message)
    }
    /// Conflicting state.
    public static func conflict(_ message: String) -> ProvisioningError {
        ProvisioningError(status: 409, errorCode: 409_000, message: message)
    }
    /// ETag mismatch.
    public static func preconditionFailed(_ message: String) -> ProvisioningError {
        ProvisioningError(status: 412, errorCode: 412_002, message: message)
    }
    /// Throttled.
    public static func throttled(_ message: String) -> ProvisioningError {
        ProvisioningError(status: 429, errorCode: 429_001, message: message)
    }
    /// Allocation could not pick a hub, or the custom webhook failed.
    public static func allocationFailed(_ message: String) -> ProvisioningError {
        ProvisioningError(status: 400, errorCode: 400_209, message: message)
    }
    /// An internal failure; details are logged, not returned.
    public static func internalError() -> ProvisioningError {
        ProvisioningError(status: 500, errorCode: 500_000, message: "internal error")
    }

    /// `status errorCode: message`.
    public var description: String { "\(status) \(errorCode): \(message)" }
}
