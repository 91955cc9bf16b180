import GRDB
import Provisioning

extension ProvisioDatabase {
    static let registrationTable = KeyedRecordTable(name: "registration", noun: "registration")

    /// A device's registration record, matched case-insensitively by registration id.
    public func registration(registrationId: String) async throws -> RegistrationRecord? {
        let table = Self.registrationTable
        return try readNow { db in try table.record(RegistrationRecord.self, db, id: registrationId) }
    }

    /// The registration record whose latest operation is `operationId` (exact match: operation ids are opaque).
    public func registration(operationId: String) async throws -> RegistrationRecord? {
        let table = Self.registrationTable
        return try readNow { db in
            try table.records(RegistrationRecord.self, db,
                              sql: "SELECT id_key, json FROM registration WHERE operation_id = ?",
                              arguments: [operationId]).first
        }
    }

    /// Creates or replaces a registration record; `conflict` when another device's record holds its operation id.
    public func saveRegistration(_ record: RegistrationRecord) async throws {
        let table = Self.registrationTable
        let registrationId = record.state.registrationId
        let json = try StoredJSON().encode(record, record: table.describe(registrationId))
        let key = KeyedRecordTable.key(registrationId)
        let groupKey = record.enrollmentGroupId.map(KeyedRecordTable.key)
        do {
            try await pool.write { db in
                try db.execute(
                    sql: """
                    INSERT INTO registration (id_key, operation_id, enrollment_group_id, etag, json) VALUES (?, ?, ?, ?, ?)
                    ON CONFLICT(id_key) DO UPDATE SET operation_id = excluded.operation_id,
                        enrollment_group_id = excluded.enrollment_group_id, etag = excluded.etag, json = excluded.json
                    """,
                    arguments: [key, record.operationId, groupKey, record.state.etag, json])
            }
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            throw ProvisioningError.conflict("the operation id of \(table.describe(registrationId)) belongs to another registration")
        }
    }

    /// Deletes a registration record; `notFound` when absent, `preconditionFailed` when `state.etag` differs.
    public func deleteRegistration(registrationId: String, expectedETag: String?) async throws {
        let table = Self.registrationTable
        let precondition = ETagPrecondition(expected: expectedETag)
        try await pool.write { db in
            try table.delete(db, id: registrationId, precondition: precondition)
        }
    }

    /// Registration records that came through the group `enrollmentGroupId` (case-insensitive), ordered by id.
    public func registrations(enrollmentGroupId: String) async throws -> [RegistrationRecord] {
        let table = Self.registrationTable
        let groupKey = KeyedRecordTable.key(enrollmentGroupId)
        return try await pool.read { db in
            try table.records(RegistrationRecord.self, db,
                              sql: "SELECT id_key, json FROM registration WHERE enrollment_group_id = ? ORDER BY id_key",
                              arguments: [groupKey])
        }
    }
}
