/// Whether the enrollment that provisioned a device still admits it: a device registered through an individual
/// enrollment or group that is now disabled is refused at CONNECT and disconnected when the change happens.
/// The database implements it from the DPS registration records; devices created on a shard directly have none.
public protocol DeviceEnrollmentStatus: Sendable {
    /// A public reason when the device's registration on `shard` came through a disabled enrollment or group, else nil.
    func disabledEnrollment(deviceId: String, shard: String) async throws -> String?
    /// A number that grows whenever an enrollment or group becomes disabled (in any process).
    func enrollmentDisablementSequence() async throws -> Int64
    /// The device ids registered through enrollments or groups disabled after `sequence`, and the latest sequence.
    func devicesOfDisabledEnrollments(after sequence: Int64) async throws -> (sequence: Int64, deviceIds: [String])
    /// The enrollments and groups disabled after `sequence`, the devices registered through them, and the latest
    /// sequence: what closes open DPS sessions of those enrollments as well as the devices' hub sessions.
    func disablements(after sequence: Int64) async throws -> EnrollmentDisablements
}
