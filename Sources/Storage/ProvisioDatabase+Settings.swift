import GRDB
import Provisioning
import AccessControl

extension ProvisioDatabase {
    /// The setting that records where the running server publishes CRLs and OCSP (`http://host:port`), so that
    /// certificates the CLI issues from the same CA carry the same CRL Distribution Points and AIA URLs.
    public static let revocationBaseURLSetting = "revocation.baseURL"

    /// Returns the stored value for `key`, or stores and returns `make()` — in one transaction, so two
    /// concurrent first starts agree on one value.
    public func loadOrCreateSetting(_ key: String, make: @Sendable () -> String) throws -> String {
        try pool.write { db in
            if let value = try String.fetchOne(db, sql: "SELECT value FROM service_setting WHERE key = ?", arguments: [key]) {
                return value
            }
            let value = make()
            try db.execute(sql: "INSERT INTO service_setting (key, value) VALUES (?, ?)", arguments: [key, value])
            return value
        }
    }

    /// The stored value for `key`, nil when none.
    public func setting(_ key: String) throws -> String? {
        try pool.read { db in try String.fetchOne(db, sql: "SELECT value FROM service_setting WHERE key = ?", arguments: [key]) }
    }

    /// Stores `value` for `key`, replacing any earlier value.
    public func saveSetting(_ key: String, value: String) throws {
        try pool.write { db in
            try db.execute(sql: "INSERT INTO service_setting (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                           arguments: [key, value])
        }
    }

    /// The data directory's ID scope, created on first use.
    public func loadOrCreateIDScope() throws -> IDScope {
        let text = try loadOrCreateSetting("idScope") { IDScope.generate().value }
        guard let scope = IDScope(text) else {
            throw StorageError(.corruptRecord, "the stored ID scope is not valid")
        }
        return scope
    }

    /// The shared access policies of `scope` (`dps`, `hub:hub-1`), created with `make()` when there are none.
    public func loadOrCreatePolicies(scope: String, make: @Sendable () -> [SharedAccessPolicy]) throws -> [SharedAccessPolicy] {
        try pool.write { db in
            let rows = try Row.fetchAll(db, sql: "SELECT * FROM shared_access_policy WHERE scope = ? ORDER BY rowid", arguments: [scope])
            if !rows.isEmpty {
                return try rows.map(Self.policy(from:))
            }
            let policies = make()
            for policy in policies {
                try db.execute(
                    sql: "INSERT INTO shared_access_policy (scope, name, primaryKey, secondaryKey, permissions) VALUES (?, ?, ?, ?, ?)",
                    arguments: [scope, policy.name, policy.primaryKey.base64, policy.secondaryKey.base64,
                                policy.permissions.map(\.rawValue).sorted().joined(separator: ",")])
            }
            return policies
        }
    }

    private static func policy(from row: Row) throws -> SharedAccessPolicy {
        let name: String = row["name"]
        do {
            let permissionsText: String = row["permissions"]
            let permissions = try permissionsText.split(separator: ",").map { raw in
                guard let permission = SharedAccessPermission(rawValue: String(raw)) else {
                    throw StorageError(.corruptRecord, "policy \(name) has an unknown permission")
                }
                return permission
            }
            return SharedAccessPolicy(
                name: name,
                primaryKey: try SharedAccessKey(base64: row["primaryKey"]),
                secondaryKey: try SharedAccessKey(base64: row["secondaryKey"]),
                permissions: Set(permissions))
        } catch let error as StorageError {
            throw error
        } catch {
            throw StorageError(.corruptRecord, "policy \(name) has an invalid key")
        }
    }
}
