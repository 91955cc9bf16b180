/// Why a credential was refused; `message` is safe to show a client (no secrets).
public struct SecurityError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A stable error kind.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        let name: String
        /// The token text is not a SAS token.
        public static let malformedToken = Code(name: "malformedToken")
        /// The signature matched no key.
        public static let invalidSignature = Code(name: "invalidSignature")
        /// The token's `se` is in the past.
        public static let expiredToken = Code(name: "expiredToken")
        /// The token's `sr` does not cover the resource.
        public static let scopeMismatch = Code(name: "scopeMismatch")
        /// A key is not valid Base64 of an allowed length.
        public static let invalidKey = Code(name: "invalidKey")
        /// The token names no shared access policy of this hub (`skn`).
        public static let unknownPolicy = Code(name: "unknownPolicy")
        /// The audience a token is presented for names another hub, host or entity.
        public static let foreignAudience = Code(name: "foreignAudience")
        /// The policy lacks a needed permission.
        public static let permissionDenied = Code(name: "permissionDenied")
        /// The kind as text.
        public var description: String { name }
    }

    /// The kind of failure.
    public var code: Code
    /// A public message.
    public var message: String

    /// Creates an error.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// `code: message`.
    public var description: String { "\(code): \(message)" }
}
