/// A TPM structure that cannot be read, or a key the service cannot use; `message` is safe to show.
public struct TPMFormatError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What is wrong, for the 400 or 401 answer.
    public var message: String

    /// Creates an error.
    public init(_ message: String) {
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
