/// What the server side of a connection offers and enforces.
public struct AMQPConnectionConfiguration: Sendable {
    /// The server's container id.
    public var containerId: String
    /// The largest frame accepted (advertised in `open`; the frame decoder must use the same).
    public var maxFrameSize: UInt32
    /// The highest channel a peer may begin a session on.
    public var channelMax: UInt16
    /// The highest link handle per session.
    public var handleMax: UInt32
    /// Closes the connection when the peer sends nothing for this long (advertised as half, per the spec's advice).
    public var idleTimeoutMilliseconds: UInt32?
    /// SASL mechanisms offered; empty means SASL is not offered.
    public var saslMechanisms: [AMQPSymbol]
    /// Whether a client may skip SASL (`AMQP 0 1 0 0` first): X.509 devices and the C# SDKs do.
    public var allowsPlainAMQP: Bool
    /// The session window the server keeps open for incoming transfers.
    public var incomingWindow: UInt32
    /// The largest message reassembled from transfers (advertised as `max-message-size` on attach replies).
    public var maxMessageSize: UInt64

    /// Creates a configuration.
    public init(containerId: String, maxFrameSize: UInt32 = 65_536, channelMax: UInt16 = 255, handleMax: UInt32 = 255,
                idleTimeoutMilliseconds: UInt32? = 240_000, saslMechanisms: [AMQPSymbol] = ["MSSBCBS", "ANONYMOUS", "PLAIN"],
                allowsPlainAMQP: Bool = true, incomingWindow: UInt32 = 5_000, maxMessageSize: UInt64 = 1 << 20) {
        self.containerId = containerId
        self.maxFrameSize = maxFrameSize
        self.channelMax = channelMax
        self.handleMax = handleMax
        self.idleTimeoutMilliseconds = idleTimeoutMilliseconds
        self.saslMechanisms = saslMechanisms
        self.allowsPlainAMQP = allowsPlainAMQP
        self.incomingWindow = incomingWindow
        self.maxMessageSize = maxMessageSize
    }
}
