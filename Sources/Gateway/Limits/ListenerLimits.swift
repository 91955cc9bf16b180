import NIOCore

/// The resource bounds every listener applies to its connections (see "Limits" in Docs/operations.md).
public struct ListenerLimits: Sendable {
    /// Shared by every listener of the process: connections per source address and in total. Nil: unlimited.
    public var connections: ConnectionLimiter?
    /// From TCP accept to a finished TLS handshake (HTTPS).
    public var tlsHandshakeTimeout: TimeAmount
    /// From the handshake (or accept, plain HTTP) to the first complete request head.
    public var requestHeadTimeout: TimeAmount
    /// A keep-alive connection's wait for its next request head, and the longest gap between request body parts.
    public var idleTimeout: TimeAmount

    /// Creates the bounds; the defaults are those of an unconfigured server.
    public init(connections: ConnectionLimiter? = nil, tlsHandshakeTimeout: TimeAmount = .seconds(10),
                requestHeadTimeout: TimeAmount = .seconds(10), idleTimeout: TimeAmount = .seconds(60)) {
        self.connections = connections
        self.tlsHandshakeTimeout = tlsHandshakeTimeout
        self.requestHeadTimeout = requestHeadTimeout
        self.idleTimeout = idleTimeout
    }
}

extension ListenerLimits {
    /// The deadlines an HTTP connection runs under; `tls` false for plain HTTP (no handshake).
    func httpTimeouts(tls: Bool) -> HTTPDeadlineHandler.Timeouts {
        HTTPDeadlineHandler.Timeouts(handshake: tls ? tlsHandshakeTimeout : nil, requestHead: requestHeadTimeout, idle: idleTimeout)
    }
}
