import X509

/// Where CA private keys live; the seam for replacing files with an HSM or KMS.
///
/// An HSM-backed store returns `Certificate.PrivateKey(customKey)` wrapping a `CustomPrivateKey` that signs
/// inside the device; such a store may refuse `storePrivateKey` and generate keys out of band instead.
public protocol CAKeyStore: Sendable {
    /// The key stored under `name`, or `nil` when there is none.
    func loadPrivateKey(named name: String) throws -> Certificate.PrivateKey?
    /// Stores `key` under `name` durably, replacing any previous key of that name.
    func storePrivateKey(_ key: Certificate.PrivateKey, named name: String) throws
}
