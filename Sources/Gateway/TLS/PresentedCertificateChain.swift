import NIOCore
import NIOSSL
import Synchronization

/// The certificate chain a TLS client presented (leaf first), captured during the handshake.
///
/// The handshake accepts any presented chain: attestation (DPS) and device authentication (hub) validate
/// it against enrollments and the CA, where the failure can be answered in the protocol (CONNACK, 401)
/// instead of as an opaque TLS alert.
public final class PresentedCertificateChain: Sendable {
    private let storage = Mutex<[NIOSSLCertificate]>([])

    /// Creates an empty capture.
    public init() {}

    /// The presented certificates; empty when the client sent none.
    public var certificates: [NIOSSLCertificate] { storage.withLock { $0 } }

    /// A verification callback that records the chain and lets the handshake proceed.
    public func makeVerificationCallback() -> NIOSSLCustomVerificationCallback {
        { certificates, promise in
            self.storage.withLock { $0 = certificates }
            promise.succeed(.certificateVerified)
        }
    }
}
