import Foundation

/// The Blob REST API's errors, as `HubError`s named with Azure Storage's error codes (the edge renders them as
/// Azure's XML error body).
public enum BlobStorageError {
    /// The SAS is missing, malformed, expired or for another blob.
    public static func authenticationFailed(_ message: String) -> HubError {
        HubError(status: 403, errorCode: 403_000, name: "AuthenticationFailed", message: message)
    }
    /// The SAS lacks the permission the operation needs.
    public static func permissionMismatch(_ message: String) -> HubError {
        HubError(status: 403, errorCode: 403_000, name: "AuthorizationPermissionMismatch", message: message)
    }
    /// No such blob.
    public static func blobNotFound() -> HubError {
        HubError(status: 404, errorCode: 404_000, name: "BlobNotFound", message: "The specified blob does not exist.")
    }
    /// No such container.
    public static func containerNotFound() -> HubError {
        HubError(status: 404, errorCode: 404_000, name: "ContainerNotFound", message: "The specified container does not exist.")
    }
    /// `If-None-Match: *` and the blob exists.
    public static func blobAlreadyExists() -> HubError {
        HubError(status: 409, errorCode: 409_000, name: "BlobAlreadyExists", message: "The specified blob already exists.")
    }
    /// The file would exceed the shard's size limit.
    public static func tooLarge(_ maximum: Int64) -> HubError {
        HubError(status: 413, errorCode: 413_000, name: "RequestBodyTooLarge",
                 message: "The request body is too large and exceeds the maximum permissible limit of \(maximum) bytes.")
    }
    /// A block list names a block that was never staged.
    public static func invalidBlockList() -> HubError {
        HubError(status: 400, errorCode: 400_000, name: "InvalidBlockList", message: "The specified block list is invalid.")
    }
    /// A malformed request (query value, header, XML).
    public static func invalidInput(_ name: String, _ message: String) -> HubError {
        HubError(status: 400, errorCode: 400_000, name: name, message: message)
    }
}
