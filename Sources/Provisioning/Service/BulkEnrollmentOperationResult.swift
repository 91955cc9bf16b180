/// The answer to a bulk operation: `{"isSuccessful": bool, "errors": [{"registrationId","errorCode","errorStatus"}]}`.
public struct BulkEnrollmentOperationResult: Codable, Sendable, Equatable {
    /// Why one enrollment of the batch failed (DPS `DeviceRegistrationOperationError`).
    public struct ItemError: Codable, Sendable, Equatable {
        /// The enrollment's registration id.
        public var registrationId: String
        /// DPS error code (status × 1000 + detail).
        public var errorCode: Int
        /// Public error text.
        public var errorStatus: String

        /// Creates an item error.
        public init(registrationId: String, errorCode: Int, errorStatus: String) {
            self.registrationId = registrationId
            self.errorCode = errorCode
            self.errorStatus = errorStatus
        }
    }

    /// True when every enrollment succeeded.
    public var isSuccessful: Bool
    /// One entry per failed enrollment.
    public var errors: [ItemError]

    /// Creates a result.
    public init(isSuccessful: Bool, errors: [ItemError]) {
        self.isSuccessful = isSuccessful
        self.errors = errors
    }
}
