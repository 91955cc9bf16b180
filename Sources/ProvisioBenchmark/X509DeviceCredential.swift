import NIOSSL

/// An X.509 device's registration id and the TLS context presenting its certificate.
struct X509DeviceCredential: Sendable {
    let registrationId: String
    let tls: NIOSSLContext
}
