import Foundation
import MQTTCodec
import NIOSSL
import AccessControl

/// Registers the devices a hub benchmark needs through the ordinary DPS path (HTTPS, symmetric-key group pinned
/// to one shard). Not measured.
enum DeviceProvisioner {
    static func provision(count: Int, groupId: String, idPrefix: String, hub: ServerConnection.Hub, server: ServerConnection,
                          tls: NIOSSLContext) async throws -> [ProvisionedDevice] {
        let groupKey = try await EnrollmentGroupClient(connection: server, tls: tls)
            .createSymmetricKeyGroup(id: groupId, iotHubs: [hub.hostName])
        let counter = WorkCounter(limit: count)
        let idScope = server.idScope
        let registered = try await withThrowingTaskGroup(of: [(Int, ProvisionedDevice)].self) { group in
            for _ in 0..<min(8, max(1, count)) {
                group.addTask {
                    let https = try await HTTPSConnection.open(host: server.dps.host, port: server.dps.httpsPort, tls: tls)
                    var mine: [(Int, ProvisionedDevice)] = []
                    do {
                        while let index = counter.take() {
                            let device = SymmetricKeyDevice(registrationId: "\(idPrefix)-\(index)", groupKey: groupKey)
                            let timing = try await HTTPSRegistration.register(
                                over: https, idScope: idScope, registrationId: device.registrationId,
                                authorization: device.provisioningToken(idScope: idScope))
                            mine.append((index, ProvisionedDevice(device: device, hub: try server.hub(hostName: timing.assignedHub))))
                        }
                    } catch {
                        await https.close()
                        throw error
                    }
                    await https.close()
                    return mine
                }
            }
            var all: [(Int, ProvisionedDevice)] = []
            for try await share in group { all += share }
            return all.sorted { $0.0 < $1.0 }.map(\.1)
        }
        return registered
    }

    /// The CONNECT a provisioned device sends to its shard (SAS password, like the Azure device SDK).
    static func hubConnect(_ device: ProvisionedDevice) -> MQTTConnect {
        MQTTConnect(cleanSession: false, keepAliveSeconds: 120, clientIdentifier: device.deviceId,
                    username: "\(device.hub.hostName)/\(device.deviceId)/?api-version=2019-10-01",
                    password: Array(device.device.hubToken(hubHostName: device.hub.hostName).utf8))
    }
}
