import GRDB
import Hub

extension ProvisioDatabase: EnumerableDeviceRegistry {
    /// A page of a shard's devices with their twins, ordered by lower-cased device id.
    public func devices(shard: String, after cursor: String?, limit: Int) async throws -> [DeviceRecord] {
        guard limit > 0 else { return [] }
        let rows = try await pool.read { db in
            try Row.fetchAll(
                db,
                sql: """
                SELECT device_key, identity_json, twin_json FROM hub_device
                WHERE shard = ? AND device_key > ? ORDER BY device_key LIMIT ?
                """,
                arguments: [shard, cursor ?? "", limit])
        }
        let coder = StoredJSON()
        return try rows.map { row in
            let key: String = row["device_key"]
            let record = "device '\(key)' on shard '\(shard)'"
            return DeviceRecord(
                identity: try coder.decode(DeviceIdentity.self, from: row["identity_json"], record: record),
                twin: try coder.decode(DeviceTwin.self, from: row["twin_json"], record: "twin of \(record)"))
        }
    }
}
