import Foundation
import GRDB
import PKI

/// The data directory's SQLite database (WAL): opens it, applies migrations, and hosts the repositories.
public final class ProvisioDatabase: Sendable {
    let pool: DatabasePool
    /// Decoded enabled enrollment groups, revalidated against the database on every use.
    let enrollmentGroupCache = EnrollmentGroupCache()
    /// Read-only connections for the per-request lookups (`readNow`).
    let hotReads: HotReadConnections
    /// Hashes and authenticates audit entries with the installation's audit key (`keys/audit.key` beside the file).
    let auditChain: AuditChain
    /// Checkpoints the WAL off the writer's path.
    private let checkpointer: WALCheckpointer

    /// Opens (creating if needed) the database at `path` and migrates it to the current schema.
    public init(path: String) throws {
        auditChain = try AuditChain(key: AuditKeyFile.loadOrCreate(forDatabaseAt: path))
        var configuration = Configuration()
        configuration.label = "provisio"
        configuration.busyMode = .timeout(10)
        configuration.prepareDatabase { db in
            // WAL + FULL: a commit is on disk before it is acknowledged, so acknowledged writes survive kill -9.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA foreign_keys = ON")
            // Checkpoints run on their own thread (WALCheckpointer); this is only the bound if that falls behind.
            try db.execute(sql: "PRAGMA wal_autocheckpoint = \(WALCheckpointer.writerThresholdPages)")
        }
        do {
            pool = try DatabasePool(path: path, configuration: configuration)
            try Self.migrator.migrate(pool)
            hotReads = try HotReadConnections(path: path, count: 4)
            checkpointer = try WALCheckpointer(path: path)
        } catch {
            throw StorageError(.cannotOpen, "cannot open the database at \(path): \(error)")
        }
    }

    /// The schema, one migration per version; never edit a shipped migration, add a new one.
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1-foundation") { db in
            try db.create(table: "service_setting") { table in
                table.primaryKey("key", .text)
                table.column("value", .text).notNull()
            }
            try db.create(table: "shared_access_policy") { table in
                table.column("scope", .text).notNull()
                table.column("name", .text).notNull()
                table.column("primaryKey", .text).notNull()
                table.column("secondaryKey", .text).notNull()
                table.column("permissions", .text).notNull()
                table.primaryKey(["scope", "name"])
            }
            try db.create(table: "issued_certificate") { table in
                table.primaryKey("serialNumber", .text)
                table.column("subject", .text).notNull()
                table.column("issuer", .text).notNull()
                table.column("profile", .text).notNull()
                table.column("notBefore", .datetime).notNull()
                table.column("notAfter", .datetime).notNull()
                table.column("status", .text).notNull()
                table.column("deviceId", .text).indexed()
                table.column("enrollmentId", .text).indexed()
                table.column("der", .blob).notNull()
            }
        }
        migrator.registerMigration("v2-provisioning") { db in
            // Keys are lowercased ids (DPS ids match case-insensitively); the JSON keeps the original case.
            try db.create(table: "individual_enrollment") { table in
                table.primaryKey("id_key", .text)
                table.column("json", .text).notNull()
                table.column("etag", .text)
                table.column("provisioning_status", .text).notNull()
                table.column("attestation_type", .text).notNull()
            }
            try db.create(table: "enrollment_group") { table in
                table.primaryKey("id_key", .text)
                table.column("json", .text).notNull()
                table.column("etag", .text)
                table.column("provisioning_status", .text).notNull()
                table.column("attestation_type", .text).notNull()
            }
            // Attestation scans enabled groups of one kind on every group registration.
            try db.create(index: "enrollment_group_on_attestation_status", on: "enrollment_group",
                          columns: ["attestation_type", "provisioning_status"])
            try db.create(table: "ca_certificate") { table in
                table.primaryKey("id_key", .text)
                table.column("json", .text).notNull()
                table.column("etag", .text)
            }
            try db.create(table: "registration") { table in
                table.primaryKey("id_key", .text)
                table.column("operation_id", .text).notNull()
                table.column("enrollment_group_id", .text).indexed()
                table.column("etag", .text)
                table.column("json", .text).notNull()
            }
            try db.create(index: "registration_on_operation_id", on: "registration", columns: ["operation_id"], unique: true)
            try db.create(table: "hub_device") { table in
                table.column("shard", .text).notNull()
                table.column("device_key", .text).notNull()
                table.column("identity_json", .text).notNull()
                table.column("twin_json", .text).notNull()
                table.primaryKey(["shard", "device_key"])
            }
        }
        registerHubMigrations(&migrator)
        registerRoutingMigrations(&migrator)
        registerModuleMigrations(&migrator)
        registerRevocationMigrations(&migrator)
        registerCARotationMigrations(&migrator)
        registerEnrollmentGroupRevisionMigrations(&migrator)
        registerRenewalMigrations(&migrator)
        registerAuditMigrations(&migrator)
        registerClusteredEventLogMigration(&migrator)
        registerFeedbackLockMigration(&migrator)
        registerFileNotificationMigration(&migrator)
        registerEnrollmentCredentialJournalMigration(&migrator)
        registerScheduledJobMigration(&migrator)
        registerConfigurationMigration(&migrator)
        return migrator
    }

    /// A short read on the calling thread, on one of the `HotReadConnections`: for the lookups every device request
    /// makes, where the two thread hand-offs of an asynchronous pool read cost more than the read itself. Never call
    /// it for long reads (listings, exports): other requests may wait for the connection.
    func readNow<T>(_ body: (Database) throws -> T) throws -> T {
        try hotReads.read(body)
    }

    /// The applied migration identifiers, oldest first.
    public func appliedMigrations() throws -> [String] {
        try pool.read { db in try Self.migrator.appliedMigrations(db) }
    }

    /// The SQLite journal mode in force (expected: `wal`).
    public func journalMode() throws -> String {
        try pool.read { db in try String.fetchOne(db, sql: "PRAGMA journal_mode") ?? "" }
    }
}
