import GRDB
import Hub

extension ProvisioDatabase: DeviceEnrollmentStatus {
    /// Looks the device up by its registration records' device id (an index on the JSON), one read.
    public func disabledEnrollment(deviceId: String, shard: String) async throws -> String? {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db,
                sql: """
                SELECT r.id_key AS registration, r.enrollment_group_id AS grp,
                    CASE WHEN r.enrollment_group_id IS NOT NULL
                        THEN (SELECT provisioning_status FROM enrollment_group g WHERE g.id_key = r.enrollment_group_id)
                        ELSE (SELECT provisioning_status FROM individual_enrollment i WHERE i.id_key = r.id_key)
                    END AS status
                FROM registration r
                WHERE lower(json_extract(r.json, '$.state.deviceId')) = lower(?) AND json_extract(r.json, '$.hubName') = ?
                """,
                arguments: [deviceId, shard])
            for row in rows where (row["status"] as String?) == "disabled" {
                if let group: String = row["grp"] { return "enrollment group \(group) is disabled" }
                return "enrollment \(row["registration"] as String) is disabled"
            }
            return nil
        }
    }

    /// The journal's highest sequence (0 when empty).
    public func enrollmentDisablementSequence() async throws -> Int64 {
        try await pool.read { db in
            try Int64.fetchOne(db, sql: "SELECT MAX(sequence) FROM enrollment_disablement") ?? 0
        }
    }

    /// Devices whose registrations came through the enrollments and groups disabled after `sequence`.
    public func devicesOfDisabledEnrollments(after sequence: Int64) async throws -> (sequence: Int64, deviceIds: [String]) {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT sequence, kind, id_key, change FROM enrollment_disablement WHERE sequence > ? ORDER BY sequence",
                arguments: [sequence])
            var latest = sequence
            var devices: [String] = []
            for row in rows {
                latest = max(latest, row["sequence"])
                // Deleted and re-keyed enrollments leave their hub devices' own credentials alone.
                guard (row["change"] as String) == "disabled" else { continue }
                let kind: String = row["kind"]
                let key: String = row["id_key"]
                let sql = kind == "group"
                    ? "SELECT json_extract(json, '$.state.deviceId') FROM registration WHERE enrollment_group_id = ?"
                    : "SELECT json_extract(json, '$.state.deviceId') FROM registration WHERE id_key = ? AND enrollment_group_id IS NULL"
                devices += try String.fetchAll(db, sql: sql, arguments: [key])
            }
            return (latest, devices)
        }
    }
}
