import Foundation
import PKI
import Storage

extension CARotation {
    /// The rotation of a data directory: certificates in `ca/`, keys in `keys/` (0600), generations and the
    /// certificate inventory in the database, the built-in hierarchy configuration and profiles.
    public init(dataDirectory: DataDirectory, database: ProvisioDatabase) {
        self.init(directory: dataDirectory.caDirectory, keyStore: FileCAKeyStore(directory: dataDirectory.keyDirectory),
                  configuration: .builtIn, profiles: .builtIn, inventory: database, store: database)
    }

    /// Rewrites the trust bundle from `set` (every non-retired root), atomically; clients re-read it.
    public static func writeTrustBundle(_ set: CAGenerationSet, to dataDirectory: DataDirectory) throws {
        try AtomicFile.write(Data(set.trustBundlePEM.utf8), to: dataDirectory.trustBundle)
    }
}
