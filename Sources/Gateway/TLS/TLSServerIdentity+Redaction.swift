/// A listener's identity holds its private key: every way Swift turns the value into text (`"\(identity)"`,
/// `String(reflecting:)`, `dump`, and the reflection of any struct that holds one, such as a listener that
/// swift-service-lifecycle logs at debug) shows the certificate chain's size but never the key.
extension TLSServerIdentity: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Redacted: the key is never part of a description.
    public var description: String {
        "TLSServerIdentity(certificateChainPEM: \(certificateChainPEM.utf8.count) bytes, privateKeyPEM: redacted,"
            + " clientTrustRootsPEM: \(clientTrustRootsPEM.utf8.count) bytes)"
    }

    /// The same as `description`.
    public var debugDescription: String { description }

    /// A mirror without the key, so `dump` and nested reflection cannot reach it either.
    public var customMirror: Mirror {
        Mirror(self, children: [
            "certificateChainPEM": "\(certificateChainPEM.utf8.count) bytes", "privateKeyPEM": "redacted",
            "clientTrustRootsPEM": "\(clientTrustRootsPEM.utf8.count) bytes",
        ], displayStyle: .struct)
    }
}
