import Hummingbird
import NIOCore
import NIOSSL

/// The request context of every Provisio HTTPS route: Hummingbird's core storage plus the connection, whose
/// TLS client chain device routes read.
public struct ProvisioRequestContext: RequestContext {
    /// Hummingbird's per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    public let channel: any Channel

    /// Creates the context for a request.
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }

    /// The chain the client presented in the TLS handshake, leaf first; empty without a client certificate.
    public func presentedCertificates() async -> [NIOSSLCertificate] {
        guard let chain = try? await channel.nioSSL_peerValidatedCertificateChain().get() else { return [] }
        return Array(chain)
    }

    /// The largest request body any Provisio route reads: 1 MiB (enrollment bulk operations are the largest).
    public static let maximumBodyBytes = 1024 * 1024

    /// Request bodies up to ``maximumBodyBytes``; a larger one is answered 413.
    public var maxUploadSize: Int { Self.maximumBodyBytes }
}
