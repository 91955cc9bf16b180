/// Who an authenticated EST request is from, and where certificates issued to it are recorded.
struct ESTClient: Sendable, Equatable {
    /// The registration id; an issued certificate's subject CN.
    var registrationId: String
    /// The device id recorded in the inventory (revocation by device covers it).
    var deviceId: String
    /// The individual enrollment's registration id or the group id (revocation by enrollment covers it).
    var enrollmentId: String
}
