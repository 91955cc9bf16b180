import HTTPTypes

extension HTTPField.Name {
    /// `x-ms-blob-type`: `BlockBlob` on Put Blob and on reads.
    static let msBlobType = HTTPField.Name("x-ms-blob-type")!
    /// `x-ms-range`: the byte range of a Get Blob.
    static let msRange = HTTPField.Name("x-ms-range")!
    /// `x-ms-error-code`: Azure Storage's error code.
    static let msErrorCode = HTTPField.Name("x-ms-error-code")!
    /// `x-ms-request-id`.
    static let msRequestId = HTTPField.Name("x-ms-request-id")!
    /// `x-ms-version`: the storage service version answered with.
    static let msVersion = HTTPField.Name("x-ms-version")!
    /// `x-ms-request-server-encrypted` (writes) and `x-ms-server-encrypted` (reads).
    static let msRequestServerEncrypted = HTTPField.Name("x-ms-request-server-encrypted")!
    /// See `msRequestServerEncrypted`.
    static let msServerEncrypted = HTTPField.Name("x-ms-server-encrypted")!
    /// `x-ms-creation-time`.
    static let msCreationTime = HTTPField.Name("x-ms-creation-time")!
    /// `x-ms-lease-state`.
    static let msLeaseState = HTTPField.Name("x-ms-lease-state")!
    /// `x-ms-lease-status`.
    static let msLeaseStatus = HTTPField.Name("x-ms-lease-status")!
}
