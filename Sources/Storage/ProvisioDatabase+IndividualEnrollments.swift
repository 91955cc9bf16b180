import Foundation
import GRDB
import PKI
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
        let actor = AuditActor.current
        try await pool.write { db in
            try table.check(precondition, db, id: enrollment.registrationId)
            let previousStatus = try row.storedStatus(db)
            try row.upsert(db)
            try self.appendAudit(.individualEnrollmentSaved(enrollment, previousStatus: previousStatus, actor: actor), at: Date(), db)
        }
    }

    /// Creates or replaces many individual enrollments in one transaction (bulk import); no etag checks.
    public func saveIndividualEnrollments(_ enrollments: [IndividualEnrollment]) async throws {
        guard !enrollments.isEmpty else { return }
        let coder = StoredJSON()
        let rows = try enrollments.map { try IndividualEnrollmentRow($0, coder: coder) }
        let actor = AuditActor.current
        try await pool.write { db in
            var events: [AuditEvent] = []
            events.reserveCapacity(rows.count)
            for (row, enrollment) in zip(rows, enrollments) {
                let previousStatus = try row.storedStatus(db)
                try row.upsert(db)
                events.append(.individualEnrollmentSaved(enrollment, previousStatus: previousStatus, actor: actor))
            }
            try self.appendAudit(events, at: Date(), db)
        }
    }

    /// Deletes an individual enrollment; `notFound` when absent, `preconditionFailed` on an etag mismatch.
    public func deleteIndividualEnrollment(registrationId: String, expectedETag: String?) async throws {
        let table = Self.individualEnrollmentTable
        let precondition = ETagPrecondition(expected: expectedETag)
        let actor = AuditActor.current
        try await pool.write { db in
            try table.delete(db, id: registrationId, precondition: precondition)
            try self.appendAudit(.enrollmentDeleted(group: false, id: registrationId, actor: actor), at: Date(), db)
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

    /// The provisioning status of the row this one replaces, nil when it is new (for the audit entry).
    func storedStatus(_ db: Database) throws -> String? {
        try String.fetchOne(
            db.cachedStatement(sql: "SELECT provisioning_status FROM individual_enrollment WHERE id_key = ?"), arguments: [key])
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
