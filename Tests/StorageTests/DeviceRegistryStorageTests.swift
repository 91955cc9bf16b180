import Hub
import Provisioning
import Storage
import Testing

@Suite("Hub device registry")
struct DeviceRegistryStorageTests {
    @Test("saves, loads, replaces, counts and deletes devices with their twins")
    func lifecycle() async throws {
        try await withTemporaryDatabase { database, _ in
            let device = StorageFixtures.device("Thermostat-1")
            let twin = StorageFixtures.twin()
            try await database.save(shard: "hub-1", device: device, twin: twin)

            #expect(try await database.device(shard: "hub-1", deviceId: "thermostat-1") == device)
            #expect(try await database.twin(shard: "hub-1", deviceId: "THERMOSTAT-1") == twin)
            #expect(try await database.device(shard: "hub-2", deviceId: "Thermostat-1") == nil)
            #expect(try await database.twin(shard: "hub-2", deviceId: "Thermostat-1") == nil)
            #expect(try await database.deviceCount(shard: "hub-1") == 1)
            #expect(try await database.deviceCount(shard: "hub-2") == 0)

            let newerDevice = StorageFixtures.device("Thermostat-1", etag: "dev-etag-2")
            var newerTwin = twin
            newerTwin.reported["firmware"] = .string("2.0.0")
            newerTwin.etag = "twin-etag-2"
            try await database.save(shard: "hub-1", device: newerDevice, twin: newerTwin)
            try await database.save(shard: "hub-2", device: StorageFixtures.device("Thermostat-1"), twin: StorageFixtures.twin())
            #expect(try await database.deviceCount(shard: "hub-1") == 1)
            #expect(try await database.device(shard: "hub-1", deviceId: "Thermostat-1") == newerDevice)
            #expect(try await database.twin(shard: "hub-1", deviceId: "Thermostat-1") == newerTwin)

            #expect(try await database.delete(shard: "hub-1", deviceId: "THERMOSTAT-1"))
            #expect(try await database.delete(shard: "hub-1", deviceId: "Thermostat-1") == false)
            #expect(try await database.device(shard: "hub-1", deviceId: "Thermostat-1") == nil)
            #expect(try await database.twin(shard: "hub-1", deviceId: "Thermostat-1") == nil)
            #expect(try await database.deviceCount(shard: "hub-1") == 0)
            #expect(try await database.deviceCount(shard: "hub-2") == 1)
        }
    }
}
