/// A device registered through DPS, with the shard it was assigned to.
struct ProvisionedDevice: Sendable {
    let device: SymmetricKeyDevice
    let hub: ServerConnection.Hub

    var deviceId: String { device.registrationId }
}
