/// An error from the PKI module: a stable code and a public message that never contains key material.
public struct PKIError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The kind of failure; an extensible set of named codes.
    public struct Code: Hashable, Sendable, CustomStringConvertible {
        /// The code's stable name, suitable for logs and wire mapping at the edge.
        public let rawValue: String

        /// Creates a code from its stable name.
        public init(_ rawValue: String) {
            self.rawValue = rawValue
        }

        /// The code's stable name.
        public var description: String { rawValue }

        /// A profile, hierarchy or YAML configuration value is malformed or inconsistent.
        public static let invalidConfiguration = Code("invalidConfiguration")
        /// No certificate profile with the requested name exists.
        public static let unknownProfile = Code("unknownProfile")
        /// The profile cannot be used for the requested kind of certificate.
        public static let profileNotApplicable = Code("profileNotApplicable")
        /// A subject name could not be built (empty or invalid attribute value).
        public static let invalidSubject = Code("invalidSubject")
        /// A DNS name or IP address for a subject alternative name is invalid.
        public static let invalidSubjectAlternativeName = Code("invalidSubjectAlternativeName")
        /// A certificate signing request is malformed or incomplete.
        public static let invalidCSR = Code("invalidCSR")
        /// A certificate signing request's self-signature does not verify.
        public static let invalidCSRSignature = Code("invalidCSRSignature")
        /// A public key's algorithm or size is not allowed.
        public static let disallowedKey = Code("disallowedKey")
        /// A CA certificate exists but its private key does not.
        public static let missingPrivateKey = Code("missingPrivateKey")
        /// A stored private key does not belong to the certificate it is paired with.
        public static let keyMismatch = Code("keyMismatch")
        /// The stored CA certificates do not form a valid hierarchy.
        public static let inconsistentHierarchy = Code("inconsistentHierarchy")
        /// A stored certificate or key could not be parsed.
        public static let invalidStoredMaterial = Code("invalidStoredMaterial")
        /// Reading or writing a file failed.
        public static let fileSystem = Code("fileSystem")
        /// Building or signing a certificate failed.
        public static let signingFailed = Code("signingFailed")
    }

    /// The kind of failure.
    public var code: Code
    /// A human-readable explanation that is safe to show and log.
    public var message: String

    /// Creates an error with a code and a public message.
    public init(code: Code, message: String) {
        self.code = code
        self.message = message
    }

    /// `PKIError.<code>: <message>`.
    public var description: String { "PKIError.\(code): \(message)" }
}

extension PKIError {
    /// Runs `body`, turning any error that is not already a `PKIError` into one with `code` and `message`.
    ///
    /// Foreign errors are dropped rather than embedded because their text may quote key or input bytes.
    static func wrapping<T>(_ code: Code, _ message: @autoclosure () -> String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(code: code, message: message())
        }
    }

    /// The async form of `wrapping(_:_:_:)`.
    static func wrapping<T>(
        _ code: Code,
        _ message: @autoclosure () -> String,
        _ body: () async throws -> T
    ) async throws -> T {
        do {
            return try await body()
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(code: code, message: message())
        }
    }
}
