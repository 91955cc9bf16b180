import NIOSSL

/// The certificate, key and trust roots one listener presents; builds the NIOSSL server configuration.
public struct TLSServerIdentity: Sendable {
    /// PEM of the server certificate followed by its issuers.
    public var certificateChainPEM: String
    /// PEM of the server private key (PKCS#8).
    public var privateKeyPEM: String
    /// PEM of the CA certificates advertised for (optional) client certificates.
    public var clientTrustRootsPEM: String

    /// Creates an identity from PEM text.
    public init(certificateChainPEM: String, privateKeyPEM: String, clientTrustRootsPEM: String) {
        self.certificateChainPEM = certificateChainPEM
        self.privateKeyPEM = privateKeyPEM
        self.clientTrustRootsPEM = clientTrustRootsPEM
    }

    /// TLS 1.2 and 1.3 (the Azure device SDK insists on 1.2); a client certificate is requested but optional.
    public func makeServerConfiguration() throws -> TLSConfiguration {
        let chain = try NIOSSLCertificate.fromPEMBytes(Array(certificateChainPEM.utf8))
        let key = try NIOSSLPrivateKey(bytes: Array(privateKeyPEM.utf8), format: .pem)
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) },
            privateKey: .privateKey(key)
        )
        configuration.minimumTLSVersion = .tlsv12
        configuration.maximumTLSVersion = .tlsv13
        configuration.certificateVerification = .optionalVerification
        configuration.trustRoots = .certificates(try NIOSSLCertificate.fromPEMBytes(Array(clientTrustRootsPEM.utf8)))
        configuration.sendCANameList = true
        return configuration
    }
}
