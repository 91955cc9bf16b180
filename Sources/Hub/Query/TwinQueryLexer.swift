/// Splits twin query text into tokens; positions count characters from 1.
enum TwinQueryLexer {
    static func tokens(_ text: String) throws(TwinQuerySyntaxError) -> [TwinQueryToken] {
        let characters = Array(text)
        var tokens: [TwinQueryToken] = []
        var index = 0
        func error(_ reason: String, at offset: Int) -> TwinQuerySyntaxError {
            TwinQuerySyntaxError(position: offset + 1, reason: reason)
        }
        while index < characters.count {
            let character = characters[index]
            let start = index
            func add(_ kind: TwinQueryToken.Kind, length: Int = 1) {
                tokens.append(TwinQueryToken(kind: kind, position: start + 1))
                index += length
            }
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            switch character {
            case _ where character.isWhitespace:
                index += 1
            case "*": add(.star)
            case ".": add(.dot)
            case ",": add(.comma)
            case "(": add(.openParenthesis)
            case ")": add(.closeParenthesis)
            case "[": add(.openBracket)
            case "]": add(.closeBracket)
            case "=": add(.comparison(.equal))
            case "!":
                guard next == "=" else { throw error("'!' must be followed by '=' (use NOT for negation)", at: start) }
                add(.comparison(.notEqual), length: 2)
            case "<":
                if next == "=" { add(.comparison(.lessOrEqual), length: 2) }
                else if next == ">" { add(.comparison(.notEqual), length: 2) }
                else { add(.comparison(.less)) }
            case ">":
                if next == "=" { add(.comparison(.greaterOrEqual), length: 2) } else { add(.comparison(.greater)) }
            case "'", "\"":
                let (text, end) = try string(characters, from: start)
                tokens.append(TwinQueryToken(kind: .string(text), position: start + 1))
                index = end
            case _ where character.isASCII && (character.isNumber || (character == "-" && (next?.isNumber ?? false))):
                let (value, end) = try number(characters, from: start)
                tokens.append(TwinQueryToken(kind: .number(value), position: start + 1))
                index = end
            case _ where isWordStart(character):
                var end = index + 1
                while end < characters.count, isWordPart(characters[end]) { end += 1 }
                tokens.append(TwinQueryToken(kind: .word(String(characters[index..<end])), position: start + 1))
                index = end
            default:
                throw error("unexpected character '\(character)'", at: start)
            }
        }
        tokens.append(TwinQueryToken(kind: .end, position: characters.count + 1))
        return tokens
    }

    private static func isWordStart(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character == "_" || character == "$")
    }

    private static func isWordPart(_ character: Character) -> Bool {
        isWordStart(character) || (character.isASCII && character.isNumber)
    }

    /// A quoted string literal (shared with the other query language); returns the index after it.
    private static func string(_ characters: [Character], from start: Int) throws(TwinQuerySyntaxError) -> (String, Int) {
        do {
            return try QueryStringLiteral.scan(characters, from: start)
        } catch {
            throw TwinQuerySyntaxError(position: error.position, reason: error.reason)
        }
    }

    /// `-?digits[.digits][(e|E)[+-]digits]`; returns the index after it.
    private static func number(_ characters: [Character], from start: Int) throws(TwinQuerySyntaxError) -> (Double, Int) {
        var index = start
        func digits() { while index < characters.count, characters[index].isASCII, characters[index].isNumber { index += 1 } }
        if characters[index] == "-" { index += 1 }
        digits()
        if index + 1 < characters.count, characters[index] == ".", characters[index + 1].isNumber {
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
            throw TwinQuerySyntaxError(position: start + 1, reason: "malformed number")
        }
        guard let value = Double(String(characters[start..<index])) else {
            throw TwinQuerySyntaxError(position: start + 1, reason: "malformed number")
        }
        return (value, index)
    }
}
