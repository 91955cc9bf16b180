/// Errors at the network edge; `message` is for operators and never carries secrets.
public struct GatewayError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Code: Sendable, Equatable {
        /// A listener could not bind its address.
        case cannotListen
        /// TLS material could not be loaded.
        case invalidTLSIdentity
        /// A peer broke the rules of its protocol.
        case protocolViolation
    }

    /// The failure kind.
    public var code: Code
    /// A human-readable explanation.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    /// Maps a bind failure on `address` to a clear message (the common case being a port already in use).
    static func listenFailure(_ address: String, _ error: any Error) -> GatewayError {
        let text = String(describing: error)
        let reason = text.contains("Address already in use") || text.contains("EADDRINUSE")
            ? "address already in use (is another provisio or service listening there?)"
            : text.contains("Cannot assign requested address") ? "address not available on this machine" : text
        return GatewayError(.cannotListen, "cannot listen on \(address): \(reason)")
    }
}
