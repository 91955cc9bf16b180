import Foundation
import PKI
#if canImport(Glibc)
import Glibc
#endif

/// The installation's audit key: 32 random bytes in `keys/audit.key` beside the database (directory 0700,
/// file 0600), created with the database. It authenticates the audit log's entries and anchor.
enum AuditKeyFile {
    /// The key file for the database at `databasePath`.
    static func url(forDatabaseAt databasePath: String) -> URL {
        URL(fileURLWithPath: databasePath).deletingLastPathComponent()
            .appendingPathComponent("keys", isDirectory: true).appendingPathComponent("audit.key")
    }

    /// Reads the key, creating it first when absent. Two processes creating it at once agree: the file appears
    /// through `link(2)`, which fails for the second, which then reads the first one's key.
    static func loadOrCreate(forDatabaseAt databasePath: String) throws -> [UInt8] {
        let file = url(forDatabaseAt: databasePath)
        if let existing = try read(file) { return existing }
        let directory = file.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true,
                                                    attributes: [.posixPermissions: 0o700])
        } catch {
            throw StorageError(.cannotOpen, "cannot create \(directory.path) for the audit key")
        }
        let temporary = directory.appendingPathComponent(".audit.key.\(UUID().uuidString).tmp")
        let key = AuditChain.generateKey()
        guard FileManager.default.createFile(atPath: temporary.path, contents: Data(key), attributes: [.posixPermissions: 0o600]) else {
            throw StorageError(.cannotOpen, "cannot write the audit key in \(directory.path)")
        }
        defer { unlink(temporary.path) }
        let descriptor = open(temporary.path, O_RDONLY)
        if descriptor >= 0 {
            fsync(descriptor)
            close(descriptor)
        }
        if link(temporary.path, file.path) != 0, errno != EEXIST {
            throw StorageError(.cannotOpen, "cannot create the audit key \(file.path): errno \(errno)")
        }
        guard let stored = try read(file) else {
            throw StorageError(.cannotOpen, "the audit key \(file.path) vanished while it was created")
        }
        return stored
    }

    private static func read(_ file: URL) throws -> [UInt8]? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        guard let data = FileManager.default.contents(atPath: file.path), data.count == AuditChain.keyLength else {
            throw StorageError(.corruptRecord, "the audit key \(file.path) is unreadable or not \(AuditChain.keyLength) bytes")
        }
        return Array(data)
    }
}
