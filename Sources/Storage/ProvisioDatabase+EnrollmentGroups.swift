import Foundation
import GRDB
import PKI
import Provisioning

extension ProvisioDatabase {
    static let enrollmentGroupTable = KeyedRecordTable(name: "enrollment_group", noun: "enrollment group")

    /// One enrollment group, matched case-insensitively.
    public func enrollmentGroup(id: String) async throws -> EnrollmentGroup? {
        let table = Self.enrollmentGroupTable
        return try await pool.read { db in try table.record(EnrollmentGroup.self, db, id: id) }
    }

    /// Creates or replaces a group; `expectedETag` is checked in the same transaction.
    public func saveEnrollmentGroup(_ group: EnrollmentGroup, expectedETag: String?) async throws {
        let table = Self.enrollmentGroupTable
        let json = try StoredJSON().encode(group, record: table.describe(group.enrollmentGroupId))
        let key = KeyedRecordTable.key(group.enrollmentGroupId)
        // An absent status means enabled, as in DPS.
        let status = (group.provisioningStatus ?? .enabled).rawValue
        let precondition = ETagPrecondition(expected: expectedETag)
        let actor = AuditActor.current
        try await pool.write { db in
            try table.check(precondition, db, id: group.enrollmentGroupId)
            let previousStatus = try String.fetchOne(
                db, sql: "SELECT provisioning_status FROM enrollment_group WHERE id_key = ?", arguments: [key])
            try db.execute(
                sql: """
                INSERT INTO enrollment_group (id_key, json, etag, provisioning_status, attestation_type)
                VALUES (?, ?, ?, ?, ?)
                ON CONFLICT(id_key) DO UPDATE SET json = excluded.json, etag = excluded.etag,
                    provisioning_status = excluded.provisioning_status, attestation_type = excluded.attestation_type
                """,
                arguments: [key, json, group.etag, status, group.attestation.type.rawValue])
            try self.appendAudit(.enrollmentGroupSaved(group, previousStatus: previousStatus, actor: actor), at: Date(), db)
        }
    }

    /// Deletes a group; `notFound` when absent, `preconditionFailed` on an etag mismatch.
    public func deleteEnrollmentGroup(id: String, expectedETag: String?) async throws {
        let table = Self.enrollmentGroupTable
        let precondition = ETagPrecondition(expected: expectedETag)
        let actor = AuditActor.current
        try await pool.write { db in
            try table.delete(db, id: id, precondition: precondition)
            try self.appendAudit(.enrollmentDeleted(group: true, id: id, actor: actor), at: Date(), db)
        }
    }

    /// Up to `limit` groups ordered by lowercased id, strictly after `cursor`.
    public func enrollmentGroups(after cursor: String?, limit: Int) async throws -> [EnrollmentGroup] {
        let table = Self.enrollmentGroupTable
        return try await pool.read { db in try table.page(EnrollmentGroup.self, db, after: cursor, limit: limit) }
    }

    /// Every enabled group (status absent counts as enabled) attesting with `attestation`, ordered by id; decoded
    /// once per change of the group table (see `EnrollmentGroupCache`).
    public func enabledEnrollmentGroups(attestation: AttestationMechanism.Kind) async throws -> [EnrollmentGroup] {
        let cache = enrollmentGroupCache
        return try await pool.read { db in try cache.enabledGroups(attestation, db) }
    }

    /// Every disabled group attesting with `attestation`, ordered by id (one indexed query).
    public func disabledEnrollmentGroups(attestation: AttestationMechanism.Kind) async throws -> [EnrollmentGroup] {
        try await pool.read { db in try Self.enrollmentGroups(db, attestation: attestation, status: .disabled) }
    }

    /// The groups attesting with `attestation` whose stored status is `status`, ordered by id.
    static func enrollmentGroups(_ db: Database, attestation: AttestationMechanism.Kind,
                                 status: ProvisioningStatus) throws -> [EnrollmentGroup] {
        try enrollmentGroupTable.records(
            EnrollmentGroup.self, db,
            sql: "SELECT id_key, json FROM enrollment_group WHERE attestation_type = ? AND provisioning_status = ? ORDER BY id_key",
            arguments: [attestation.rawValue, status.rawValue])
    }
}
