/// A test prerequisite is missing or a helper process misbehaved; the message says what to do.
struct TestEnvironmentError: Error, CustomStringConvertible {
    /// What went wrong.
    let description: String

    /// Creates an error.
    init(_ description: String) {
        self.description = description
    }
}
