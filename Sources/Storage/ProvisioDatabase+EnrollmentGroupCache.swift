import GRDB
import Provisioning
import Synchronization

/// Decoded enabled enrollment groups per attestation kind, valid for one value of the database's enrollment group
/// revision. Triggers bump the revision on every insert, update and delete of `enrollment_group`, whoever writes
/// (this server, or the CLI on the same data directory), so a cached list is never stale: each lookup reads the
/// revision in the same snapshot and decodes the groups again only after it changed.
final class EnrollmentGroupCache: Sendable {
    private struct Entry {
        var revision: Int64
        var groups: [EnrollmentGroup]
    }

    private let entries = Mutex<[AttestationMechanism.Kind: Entry]>([:])

    /// The enabled groups of `kind` as of `db`'s snapshot, decoding them only when the revision moved on.
    func enabledGroups(_ kind: AttestationMechanism.Kind, _ db: Database) throws -> [EnrollmentGroup] {
        let revision = try ProvisioDatabase.enrollmentGroupRevision(db)
        if let cached = entries.withLock({ $0[kind] }), cached.revision == revision {
            return cached.groups
        }
        let groups = try ProvisioDatabase.enrollmentGroups(db, attestation: kind, status: .enabled)
        entries.withLock { entries in
            // Two readers may race with different snapshots: keep the newer one.
            if (entries[kind]?.revision ?? .min) <= revision {
                entries[kind] = Entry(revision: revision, groups: groups)
            }
        }
        return groups
    }
}

extension ProvisioDatabase {
    /// The revision counter of the enrollment group table (see `EnrollmentGroupCache`).
    static func enrollmentGroupRevision(_ db: Database) throws -> Int64 {
        try Int64.fetchOne(db.cachedStatement(sql: "SELECT revision FROM enrollment_group_revision WHERE id = 1")) ?? 0
    }

    /// A revision counter that triggers bump on every change to `enrollment_group`.
    static func registerEnrollmentGroupRevisionMigrations(_ migrator: inout DatabaseMigrator) {
        migrator.registerMigration("v5b-enrollment-group-revision") { db in
            try db.execute(sql: """
                CREATE TABLE enrollment_group_revision (id INTEGER PRIMARY KEY CHECK (id = 1), revision INTEGER NOT NULL);
                INSERT INTO enrollment_group_revision (id, revision) VALUES (1, 0);
                CREATE TRIGGER enrollment_group_revision_on_insert AFTER INSERT ON enrollment_group
                BEGIN UPDATE enrollment_group_revision SET revision = revision + 1 WHERE id = 1; END;
                CREATE TRIGGER enrollment_group_revision_on_update AFTER UPDATE ON enrollment_group
                BEGIN UPDATE enrollment_group_revision SET revision = revision + 1 WHERE id = 1; END;
                CREATE TRIGGER enrollment_group_revision_on_delete AFTER DELETE ON enrollment_group
                BEGIN UPDATE enrollment_group_revision SET revision = revision + 1 WHERE id = 1; END;
                """)
        }
    }

    /// The individual enrollment of `registrationId` or, when there is none, every enabled group of `kind`: what
    /// attestation needs, read in one snapshot; the groups come from the decoded-group cache.
    public func enrollmentLookup(registrationId: String, groups kind: AttestationMechanism.Kind) async throws -> EnrollmentLookup {
        let table = Self.individualEnrollmentTable
        let cache = enrollmentGroupCache
        return try readNow { db in
            if let individual = try table.record(IndividualEnrollment.self, db, id: registrationId) {
                return EnrollmentLookup(individual: individual, groups: [])
            }
            return EnrollmentLookup(individual: nil, groups: try cache.enabledGroups(kind, db))
        }
    }
}
