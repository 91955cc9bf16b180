import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// Hummingbird's HTTP child channel behind TLS that keeps the client's presented certificate chain, so a route
/// can attest X.509 devices (`channel.nioSSL_peerValidatedCertificateChain()`).
///
/// The chain is handed over as NIOSSL's "validated" chain although only the handshake signature was checked:
/// routes validate it against enrollments, where a failure can be answered with a DPS error instead of a TLS alert.
struct ClientChainTLSChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value

    let base: Base
    let sslContexts: ReloadableTLSContext

    init(_ base: Base, tlsContext: ReloadableTLSContext) {
        self.base = base
        self.sslContexts = tlsContext
    }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(
                context: sslContexts.context,
                customVerificationCallbackWithMetadata: { certificates, promise in
                    guard !certificates.isEmpty else { return promise.succeed(.certificateVerified(VerificationMetadata(nil))) }
                    promise.succeed(.certificateVerified(VerificationMetadata(ValidatedCertificateChain(certificates))))
                }))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
