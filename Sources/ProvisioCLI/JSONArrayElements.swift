/// Finds the elements of a top-level JSON array without parsing them: strings and nesting are tracked, nothing else.
enum JSONArrayElements {
    /// One element: its bytes and the line it starts on.
    struct Element: Sendable {
        var line: Int
        var range: Range<Int>
    }

    /// The elements of the array `bytes` holds; throws when it is not one array.
    static func split(_ bytes: [UInt8]) throws -> [Element] {
        let notAnArray = CLIError("the JSON file must hold one array of IndividualEnrollment objects")
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        var line = 1
        func skipWhitespace() {
            while index < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[index]) {
                if bytes[index] == 0x0A { line += 1 }
                index += 1
            }
        }
        skipWhitespace()
        guard index < bytes.count, bytes[index] == UInt8(ascii: "[") else { throw notAnArray }
        index += 1
        var elements: [Element] = []
        var depth = 1
        var start: (offset: Int, line: Int)?
        var inString = false
        var escaped = false
        while index < bytes.count && depth > 0 {
            let byte = bytes[index]
            if byte == 0x0A { line += 1 }
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
            } else {
                switch byte {
                case 0x20, 0x09, 0x0A, 0x0D:
                    break
                case UInt8(ascii: "]") where depth == 1, UInt8(ascii: ","):
                    if depth == 1 {
                        guard let begun = start else {
                            // `[]` is an empty array; a stray comma is not.
                            if byte == UInt8(ascii: "]") && elements.isEmpty { depth = 0; break }
                            throw CLIError("line \(line): the JSON array has an empty element")
                        }
                        elements.append(Element(line: begun.line, range: begun.offset..<index))
                        start = nil
                        if byte == UInt8(ascii: "]") { depth = 0 }
                    }
                case UInt8(ascii: "}") where depth == 1:
                    throw CLIError("line \(line): the JSON array has an unbalanced '}'")
                default:
                    if depth == 1 && start == nil { start = (index, line) }
                    if byte == UInt8(ascii: "\"") { inString = true }
                    if byte == UInt8(ascii: "[") || byte == UInt8(ascii: "{") { depth += 1 }
                    if byte == UInt8(ascii: "]") || byte == UInt8(ascii: "}") { depth -= 1 }
                }
            }
            index += 1
        }
        guard depth == 0 else { throw notAnArray }
        skipWhitespace()
        guard index == bytes.count else { throw CLIError("line \(line): unexpected text after the JSON array") }
        return elements
    }
}
