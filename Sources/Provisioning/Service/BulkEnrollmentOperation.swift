/// A bulk request on individual enrollments (`POST /enrollments`): `{"enrollments":[…],"mode":"create"}`.
public struct BulkEnrollmentOperation: Codable, Sendable, Equatable {
    /// What to do with every enrollment.
    public enum Mode: String, Codable, Sendable {
        /// Create; an existing enrollment is an error (409).
        case create
        /// Create or replace, ignoring etags.
        case update
        /// Replace only when the enrollment's `etag` matches the stored one.
        case updateIfMatchETag
        /// Delete; a missing enrollment is an error (404).
        case delete
    }

    /// The enrollments.
    public var enrollments: [IndividualEnrollment]
    /// The operation.
    public var mode: Mode

    /// Creates an operation.
    public init(enrollments: [IndividualEnrollment], mode: Mode) {
        self.enrollments = enrollments
        self.mode = mode
    }
}
