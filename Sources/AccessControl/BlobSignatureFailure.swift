import Foundation

/// Why a blob SAS was refused: Azure's error code and a public message (never the expected signature).
public struct BlobSignatureFailure: Error, Sendable, Equatable {
    /// `AuthenticationFailed` or `AuthorizationPermissionMismatch`.
    public var code: String
    /// What was wrong.
    public var message: String

    static func authenticationFailed(_ message: String) -> BlobSignatureFailure {
        BlobSignatureFailure(code: "AuthenticationFailed", message: message)
    }

    static func permissionMismatch(_ message: String) -> BlobSignatureFailure {
        BlobSignatureFailure(code: "AuthorizationPermissionMismatch", message: message)
    }
}
