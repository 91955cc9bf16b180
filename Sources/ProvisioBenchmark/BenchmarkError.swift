/// A benchmark could not run or a step failed; the message says which and never carries a key or token.
struct BenchmarkError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    let description: String

    /// Creates an error.
    init(_ description: String) {
        self.description = description
    }
}
