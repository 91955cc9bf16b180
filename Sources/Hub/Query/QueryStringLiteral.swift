/// The quoted string literal both SQL-like languages use (twin queries and routing conditions): single or double
/// quotes with backslash escapes (`\'`, `\"`, `\\`, `\n`, `\t`, `\r`, `\uXXXX`).
public enum QueryStringLiteral {
    /// Why a literal could not be read: a 1-based position and a reason.
    public typealias Failure = QueryLexer.Failure

    /// Scans the literal whose opening quote is at `start`; returns its text and the index after the closing quote.
    public static func scan(_ characters: [Character], from start: Int) throws(Failure) -> (String, Int) {
        let quote = characters[start]
        var text = ""
        var index = start + 1
        while index < characters.count {
            let character = characters[index]
            if character == quote { return (text, index + 1) }
            if character == "\\" {
                guard index + 1 < characters.count else { break }
                let escaped = characters[index + 1]
                switch escaped {
                case "n": text.append("\n")
                case "t": text.append("\t")
                case "r": text.append("\r")
                case "u":
                    let hex = String(characters[min(index + 2, characters.count)..<min(index + 6, characters.count)])
                    guard hex.count == 4, let scalar = UInt32(hex, radix: 16).flatMap(Unicode.Scalar.init) else {
                        throw Failure(position: index + 1, reason: "\\u must be followed by four hex digits")
                    }
                    text.unicodeScalars.append(scalar)
                    index += 6
                    continue
                default: text.append(escaped)
                }
                index += 2
                continue
            }
            text.append(character)
            index += 1
        }
        throw Failure(position: start + 1, reason: "the string starting here is not closed")
    }
}
