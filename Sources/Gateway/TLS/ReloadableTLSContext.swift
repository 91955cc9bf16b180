import NIOSSL
import Synchronization

/// The NIOSSL context a listener hands to each new connection, replaceable while the listener runs.
///
/// A connection keeps the context it was accepted with (NIOSSL holds it per handler), so `reload(_:)` changes the
/// certificate new handshakes see without touching established TLS sessions: how listener certificates are
/// re-issued during a CA rotation.
public final class ReloadableTLSContext: Sendable {
    private let current: Mutex<NIOSSLContext>

    /// Builds the first context from `identity`.
    public init(identity: TLSServerIdentity) throws {
        current = Mutex(try NIOSSLContext(configuration: identity.makeServerConfiguration()))
    }

    /// The context for a connection accepted now.
    public var context: NIOSSLContext { current.withLock { $0 } }

    /// Replaces the context for connections accepted from now on; an identity that does not load leaves the old one.
    public func reload(_ identity: TLSServerIdentity) throws {
        let next = try NIOSSLContext(configuration: identity.makeServerConfiguration())
        current.withLock { $0 = next }
    }
}
