import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The layout of a data directory: database, CA, TLS material, trust bundle, connection document.
public struct DataDirectory: Sendable {
    /// The directory (absolute).
    public let root: URL

    /// Uses `path`, made absolute against the current directory.
    public init(path: String) {
        let url = URL(fileURLWithPath: path, relativeTo: URL(fileURLWithPath: FileManager.default.currentDirectoryPath, isDirectory: true))
        root = url.standardizedFileURL
    }

    /// SQLite database file.
    public var database: URL { root.appendingPathComponent("provisio.sqlite") }
    /// CA certificates.
    public var caDirectory: URL { root.appendingPathComponent("ca", isDirectory: true) }
    /// Private keys (mode 0700; files 0600).
    public var keyDirectory: URL { root.appendingPathComponent("keys", isDirectory: true) }
    /// Listener TLS certificates and keys.
    public var tlsDirectory: URL { root.appendingPathComponent("tls", isDirectory: true) }
    /// What clients trust: the CA root(s).
    public var trustBundle: URL { root.appendingPathComponent("trust-bundle.pem") }
    /// Written once every listener is up.
    public var connectionDocument: URL { root.appendingPathComponent("connection.json") }
    /// Device file uploads (`LocalBlobStore`).
    public var files: URL { root.appendingPathComponent("files", isDirectory: true) }

    /// Creates the directories with restrictive modes.
    public func prepare() throws {
        let manager = FileManager.default
        try manager.createDirectory(at: root, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        // The database holds service keys: the whole directory is private to its owner.
        chmod(root.path, 0o700)
        for directory in [caDirectory, tlsDirectory] {
            try manager.createDirectory(at: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o750])
        }
        try manager.createDirectory(at: keyDirectory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
    }

    /// Whether a CA was already created here.
    public var hasCertificateAuthority: Bool {
        FileManager.default.fileExists(atPath: caDirectory.appendingPathComponent("root.cert.pem").path)
    }
}

/// Writes files so a crash leaves either the old or the new content, never a torn file.
enum AtomicFile {
    static func write(_ data: Data, to url: URL, permissions: Int = 0o644) throws {
        let temporary = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).\(UUID().uuidString).tmp")
        guard FileManager.default.createFile(atPath: temporary.path, contents: nil, attributes: [.posixPermissions: permissions]) else {
            throw ConfigurationError("cannot write \(url.path)")
        }
        do {
            let handle = try FileHandle(forWritingTo: temporary)
            try handle.write(contentsOf: data)
            try handle.synchronize()
            try handle.close()
            if rename(temporary.path, url.path) != 0 {
                throw ConfigurationError("cannot replace \(url.path): errno \(errno)")
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }
}
