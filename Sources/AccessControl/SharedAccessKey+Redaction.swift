/// `description` already hides the key; these close the other ways to text: `String(reflecting:)`, `dump` and the
/// reflection of a value that holds a key.
extension SharedAccessKey: CustomDebugStringConvertible, CustomReflectable {
    /// The same as `description`: never the key.
    public var debugDescription: String { description }

    /// A mirror without the key bytes.
    public var customMirror: Mirror { Mirror(self, children: ["bytes": "redacted"], displayStyle: .struct) }
}
