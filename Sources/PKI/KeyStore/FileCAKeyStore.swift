import Foundation
import X509

/// A `CAKeyStore` keeping each key as `NAME.key.pem` (PKCS#8) in one directory: directory 0700, files 0600,
/// written atomically and fsynced.
public struct FileCAKeyStore: CAKeyStore {
    /// The directory holding the key files.
    public let directory: URL

    /// Creates a store over `directory`; the directory is created on the first write.
    public init(directory: URL) {
        self.directory = directory
    }

    /// The file a key named `name` is kept in.
    public func fileURL(forKeyNamed name: String) throws -> URL {
        guard !name.isEmpty, name.count <= 64, !name.hasPrefix("."),
            name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" || $0 == ".") })
        else {
            throw PKIError(code: .invalidConfiguration, message: "invalid key name '\(name)'")
        }
        return directory.appendingPathComponent("\(name).key.pem")
    }

    /// Reads and parses `NAME.key.pem`; `nil` when the file does not exist.
    public func loadPrivateKey(named name: String) throws -> Certificate.PrivateKey? {
        let file = try fileURL(forKeyNamed: name)
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let pem: String
        do {
            pem = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw PKIError(code: .fileSystem, message: "could not read private key file \(file.path)")
        }
        // Never echo the parser's error: it may quote bytes of the key.
        do {
            return try Certificate.PrivateKey(pemEncoded: pem)
        } catch {
            throw PKIError(code: .invalidStoredMaterial, message: "private key file \(file.path) is not a valid PEM key")
        }
    }

    /// Writes `key` as PKCS#8 PEM to `NAME.key.pem` with mode 0600, creating the directory with mode 0700.
    public func storePrivateKey(_ key: Certificate.PrivateKey, named name: String) throws {
        let file = try fileURL(forKeyNamed: name)
        let pem = try PrivateKeyPEM.pkcs8(key)
        try AtomicFileWriter.ensureDirectory(directory, permissions: 0o700)
        try AtomicFileWriter.write(Array(pem.utf8), to: file, permissions: 0o600)
    }
}
