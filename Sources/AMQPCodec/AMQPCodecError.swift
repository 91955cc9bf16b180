/// Why bytes could not be read as AMQP (or a value could not be written): a code the connection maps to an AMQP
/// error condition, and a message safe to send to the peer.
public struct AMQPCodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong.
    public enum Code: Sendable, Equatable {
        /// The bytes do not form a valid encoding (unknown constructor, bad UTF-8, a size that does not add up).
        case malformed
        /// More bytes are needed (only inside the decoder; never reaches the peer).
        case truncated
        /// A limit was exceeded: nesting depth, element count, frame or message size.
        case limitExceeded
        /// The value is valid AMQP but not what this place requires (a list where a map must be, a wrong descriptor).
        case unexpectedType
        /// A frame or protocol header that is not AMQP 1.0.
        case unsupportedProtocol
    }

    /// What went wrong.
    public var code: Code
    /// For the peer and the log; never holds payload bytes.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }

    static func malformed(_ message: String) -> AMQPCodecError { AMQPCodecError(.malformed, message) }
    static func unexpected(_ message: String) -> AMQPCodecError { AMQPCodecError(.unexpectedType, message) }
}
