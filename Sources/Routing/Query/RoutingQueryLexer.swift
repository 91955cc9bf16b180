import Hub
/// Splits routing condition text into tokens; positions count characters from 1.
enum RoutingQueryLexer {
    static func tokens(_ text: String) throws(RoutingQuerySyntaxError) -> [RoutingQueryToken] {
        let characters = Array(text)
        var tokens: [RoutingQueryToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let start = index
            func add(_ symbol: RoutingQueryToken.Symbol, length: Int = 1) {
                tokens.append(RoutingQueryToken(kind: .symbol(symbol), position: start + 1))
                index += length
            }
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case _ where character.isWhitespace:
                index += 1
            case ".":
                if let next, next.isASCII, next.isNumber, !(tokens.last.map(Self.endsOperand) ?? false) {
                    let (value, end) = try number(characters, from: start)
                    tokens.append(RoutingQueryToken(kind: .number(value), position: start + 1))
                    index = end
                } else {
                    add(.dot)
                }
            case ",": add(.comma)
            case "(": add(.openParenthesis)
            case ")": add(.closeParenthesis)
            case "[": add(.openBracket)
            case "]": add(.closeBracket)
            case "+": add(.plus)
            case "-": add(.minus)
            case "*": add(.star)
            case "/": add(.slash)
            case "%": add(.percent)
            case "=":
                add(.equal, length: next == "=" ? 2 : 1)
            case "!":
                guard next == "=" else {
                    throw RoutingQuerySyntaxError(position: start + 1, reason: "'!' must be followed by '=' (use NOT for negation)")
                }
                add(.notEqual, length: 2)
            case "<":
                if next == "=" { add(.lessOrEqual, length: 2) }
                else if next == ">" { add(.notEqual, length: 2) }
                else { add(.less) }
            case ">":
                if next == "=" { add(.greaterOrEqual, length: 2) } else { add(.greater) }
            case "'", "\"":
                let (text, end) = try string(characters, from: start)
                tokens.append(RoutingQueryToken(kind: .string(text), position: start + 1))
                index = end
            case _ where character.isASCII && character.isNumber:
                let (value, end) = try number(characters, from: start)
                tokens.append(RoutingQueryToken(kind: .number(value), position: start + 1))
                index = end
            case "$":
                // System names may contain '-' (`$iothub-connection-auth-method`); '-' before a space or digit is minus.
                var end = index + 1
                while end < characters.count {
                    let part = characters[end]
                    if isWordPart(part) {
                        end += 1
                    } else if part == "-", end + 1 < characters.count, characters[end + 1].isASCII, characters[end + 1].isLetter {
                        end += 1
                    } else {
                        break
                    }
                }
                guard end > index + 1 else {
                    throw RoutingQuerySyntaxError(position: start + 1, reason: "'$' must be followed by a name such as $body or $contentType")
                }
                tokens.append(RoutingQueryToken(kind: .systemWord(String(characters[index..<end])), position: start + 1))
                index = end
            case _ where isWordStart(character):
                var end = index + 1
                while end < characters.count, isWordPart(characters[end]) { end += 1 }
                tokens.append(RoutingQueryToken(kind: .word(String(characters[index..<end])), position: start + 1))
                index = end
            default:
                throw RoutingQuerySyntaxError(position: start + 1, reason: "unexpected character '\(character)'")
            }
        }
        tokens.append(RoutingQueryToken(kind: .end, position: characters.count + 1))
        return tokens
    }

    /// Whether a token can end an operand, so a following `.` is member access rather than a number's start.
    private static func endsOperand(_ token: RoutingQueryToken) -> Bool {
        switch token.kind {
        case .word, .systemWord, .string, .number: true
        case .symbol(let symbol): symbol == .closeParenthesis || symbol == .closeBracket
        case .end: false
        }
    }

    private static func isWordStart(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character == "_")
    }

    private static func isWordPart(_ character: Character) -> Bool {
        isWordStart(character) || (character.isASCII && character.isNumber)
    }

    /// A quoted string literal (shared with the other query language); returns the index after it.
    private static func string(_ characters: [Character], from start: Int) throws(RoutingQuerySyntaxError) -> (String, Int) {
        do {
            return try QueryStringLiteral.scan(characters, from: start)
        } catch {
            throw RoutingQuerySyntaxError(position: error.position, reason: error.reason)
        }
    }

    /// `digits[.digits][(e|E)[+-]digits]` or `.digits…`; returns the index after it. A sign is a separate token.
    private static func number(_ characters: [Character], from start: Int) throws(RoutingQuerySyntaxError) -> (Double, Int) {
        var index = start
        func digits() { while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 } }
        digits()
        if index + 1 < characters.count, characters[index] == ".", characters[index + 1].isASCII, characters[index + 1].isNumber {
            index += 1
            digits()
        }
        if index < characters.count, characters[index] == "e" || characters[index] == "E" {
            let mark = index
            index += 1
            if index < characters.count, characters[index] == "+" || characters[index] == "-" { index += 1 }
            let exponentStart = index
            digits()
            if index == exponentStart { index = mark }
        }
        if index < characters.count, isWordPart(characters[index]) {
            throw RoutingQuerySyntaxError(position: start + 1, reason: "malformed number")
        }
        guard let value = Double(String(characters[start..<index])) else {
            throw RoutingQuerySyntaxError(position: start + 1, reason: "malformed number")
        }
        return (value, index)
    }
}
