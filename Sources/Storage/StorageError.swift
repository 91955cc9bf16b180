/// A storage failure; the message names what failed, never secret values.
public struct StorageError: Error, Sendable, CustomStringConvertible {
    /// What failed.
    public enum Code: Sendable, Equatable {
        /// The database could not be opened or migrated.
        case cannotOpen
        /// Stored data could not be decoded.
        case corruptRecord
        /// A file could not be written, read or moved.
        case ioFailure
    }

    /// The failure kind.
    public var code: Code
    /// Operator-facing message.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
