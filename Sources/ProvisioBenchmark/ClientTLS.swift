import NIOCore
import NIOSSL

/// Client TLS contexts: trust only the given roots, verify the server fully, optionally present a client certificate.
enum ClientTLS {
    /// The certificates of a PEM bundle (the server's trust bundle).
    static func roots(bundlePath: String) throws -> [NIOSSLCertificate] {
        let roots = try NIOSSLCertificate.fromPEMFile(bundlePath)
        guard !roots.isEmpty else { throw BenchmarkError("the trust bundle \(bundlePath) holds no certificate") }
        return roots
    }

    /// A context trusting `roots`, presenting `clientChain` with `clientKey` when given.
    static func context(trusting roots: [NIOSSLCertificate], clientChain: [NIOSSLCertificate] = [],
                        clientKey: NIOSSLPrivateKey? = nil) throws -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .certificates(roots)
        configuration.certificateVerification = .fullVerification
        if let clientKey {
            configuration.certificateChain = clientChain.map { .certificate($0) }
            configuration.privateKey = .privateKey(clientKey)
        }
        return try NIOSSLContext(configuration: configuration)
    }

    /// SNI for host names; nil for IP literals, which NIOSSL then checks against the certificate's IP SANs.
    static func serverHostname(for host: String) -> String? {
        (try? SocketAddress(ipAddress: host, port: 0)) == nil ? host : nil
    }
}
