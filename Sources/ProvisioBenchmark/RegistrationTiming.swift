/// How long one device's registration took, and where it landed.
struct RegistrationTiming: Sendable {
    /// From sending the register request to receiving `assigned`.
    var registerToAssigned: Duration
    /// From the start of the device's attempt (including TCP and TLS when it opens a connection) to `assigned`.
    var deviceTotal: Duration
    /// How many 429 answers the device got first.
    var throttled: Int
    /// `assignedHub`.
    var assignedHub: String
    /// `deviceId`.
    var deviceId: String
}
