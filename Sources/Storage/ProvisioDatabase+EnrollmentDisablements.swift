import GRDB
import Hub

extension ProvisioDatabase {
    /// The journal entries after `sequence`, with the devices registered through each disabled one, in one read.
    public func disablements(after sequence: Int64) async throws -> EnrollmentDisablements {
        try await pool.read { db in
            let rows = try Row.fetchAll(
                db, sql: "SELECT sequence, kind, id_key, change FROM enrollment_disablement WHERE sequence > ? ORDER BY sequence",
                arguments: [sequence])
            var result = EnrollmentDisablements(sequence: sequence, enrollments: [], deviceIds: [])
            for row in rows {
                result.sequence = max(result.sequence, row["sequence"])
                let key: String = row["id_key"]
                let isGroup = (row["kind"] as String) == "group"
                result.enrollments.append(EnrollmentReference(kind: isGroup ? .group : .individual, id: key))
                // Deleted or re-keyed: its DPS sessions end; the hub devices keep their own credentials.
                guard (row["change"] as String) == "disabled" else { continue }
                let sql = isGroup
                    ? "SELECT json_extract(json, '$.state.deviceId') FROM registration WHERE enrollment_group_id = ?"
                    : "SELECT json_extract(json, '$.state.deviceId') FROM registration WHERE id_key = ? AND enrollment_group_id IS NULL"
                result.deviceIds += try String.fetchAll(db, sql: sql, arguments: [key])
            }
            return result
        }
    }
}
