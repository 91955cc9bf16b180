/// Checks a Plug and Play model id (DTMI, `dtmi:com:example:Thermostat;1`) as a device announces it.
public enum DigitalTwinModelId {
    /// The longest model id accepted (the DTDL limit for a DTMI).
    public static let maximumLength = 2048

    /// Whether `text` is a DTMI: `dtmi:` then `:`-separated segments of letters, digits and `_` (not starting with a
    /// digit or ending with `_`), then `;` and a version number.
    public static func isValid(_ text: String) -> Bool {
        guard text.utf8.count <= maximumLength, text.hasPrefix("dtmi:") else { return false }
        let body = text.dropFirst(5)
        let parts = body.split(separator: ";", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[1].isEmpty, parts[1].allSatisfy({ $0.isASCII && $0.isNumber }) else { return false }
        let segments = parts[0].split(separator: ":", omittingEmptySubsequences: false)
        return !segments.isEmpty && segments.allSatisfy { segment in
            guard let first = segment.first, let last = segment.last, !(first.isASCII && first.isNumber), last != "_" else { return false }
            return segment.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
        }
    }
}
