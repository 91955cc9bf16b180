import GRDB
import Provisioning

extension ProvisioDatabase {
    static let individualEnrollmentTable = KeyedRecordTable(name: "individual_enrollment", noun: "individual enrollment")

    /// One individual enrollment, matched case-insensitively; its `registrationState` is not stored (nil).
    public func individualEnrollment(registrationId: String) async throws -> IndividualEnrollment? {
        let table = Self.individualEnrollmentTable
        return try await pool.read { db in try table.record(IndividualEnrollment.self, db, id: registrationId) }
    }

    /// Creates or replaces an individual enrollment; `expectedETag` is checked in the same transaction.
    public func saveIndividualEnrollment(_ enrollment: IndividualEnrollment, expectedETag: String?) async throws {
        let table = Self.individualEnrollmentTable
        let row = try IndividualEnrollmentRow(enrollment, coder: StoredJSON())
        let precondition = ETagPrecondition(expected: expectedETag)
        try await pool.write { db in
            try table.check(precondition, db, id: enrollment.registrationId)
            try row.upsert(db)
        }
    }

    /// Creates or replaces many individual enrollments in one transaction (bulk import); no etag checks.
    public func saveIndividualEnrollments(_ enrollments: [IndividualEnrollment]) async throws {
        guard !enrollments.isEmpty else { return }
        let coder = StoredJSON()
        let rows = try enrollments.map { try IndividualEnrollmentRow($0, coder: coder) }
        try await pool.write { db in
            for row in rows {
                try row.upsert(db)
            }
        }
    }

    /// Deletes an individual enrollment; `notFound` when absent, `preconditionFailed` on an etag mismatch.
    public func deleteIndividualEnrollment(registrationId: String, expectedETag: String?) async throws {
        let table = Self.individualEnrollmentTable
        let precondition = ETagPrecondition(expected: expectedETag)
        try await pool.write { db in
            try table.delete(db, id: registrationId, precondition: precondition)
        }
    }

    /// Up to `limit` individual enrollments ordered by lowercased registration id, strictly after `cursor`.
    public func individualEnrollments(after cursor: String?, limit: Int) async throws -> [IndividualEnrollment] {
        let table = Self.individualEnrollmentTable
        return try await pool.read { db in try table.page(IndividualEnrollment.self, db, after: cursor, limit: limit) }
    }

    /// Number of individual enrollments.
    public func individualEnrollmentCount() async throws -> Int {
        let table = Self.individualEnrollmentTable
        return try await pool.read { db in try table.count(db) }
    }
}

/// An individual enrollment encoded for its table row.
private struct IndividualEnrollmentRow: Sendable {
    var key: String
    var json: String
    var etag: String?
    var provisioningStatus: String
    var attestationType: String

    init(_ enrollment: IndividualEnrollment, coder: StoredJSON) throws {
        // The registration state is owned by the `registration` table; storing a copy here would go stale.
        var stored = enrollment
        stored.registrationState = nil
        key = KeyedRecordTable.key(enrollment.registrationId)
        json = try coder.encode(stored, record: ProvisioDatabase.individualEnrollmentTable.describe(enrollment.registrationId))
        etag = enrollment.etag
        // An absent status means enabled, as in DPS.
        provisioningStatus = (enrollment.provisioningStatus ?? .enabled).rawValue
        attestationType = enrollment.attestation.type.rawValue
    }

    func upsert(_ db: Database) throws {
        let statement = try db.cachedStatement(sql: """
            INSERT INTO individual_enrollment (id_key, json, etag, provisioning_status, attestation_type)
            VALUES (?, ?, ?, ?, ?)
            ON CONFLICT(id_key) DO UPDATE SET json = excluded.json, etag = excluded.etag,
                provisioning_status = excluded.provisioning_status, attestation_type = excluded.attestation_type
            """)
        try statement.execute(arguments: [key, json, etag, provisioningStatus, attestationType])
    }
}
