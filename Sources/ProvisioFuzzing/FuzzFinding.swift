/// A property a fuzz target checks that did not hold for an input (a parser trapping is caught by the fuzzer itself).
public struct FuzzFinding: Error, Sendable, CustomStringConvertible {
    /// What went wrong, for the crash report.
    public var description: String

    /// A finding described by `description`.
    public init(_ description: String) {
        self.description = description
    }
}
