/// DPS's `RegistrationOperationStatus` as far as the benchmarks read it.
struct RegistrationStatusBody: Decodable, Sendable {
    /// `registrationState` of an operation status.
    struct State: Decodable, Sendable {
        var status: String?
        var assignedHub: String?
        var deviceId: String?
        var errorMessage: String?
    }

    var operationId: String?
    var status: String?
    var registrationState: State?
}
