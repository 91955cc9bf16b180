/// Splits the text of either SQL-like language — twin queries and routing conditions — into tokens. The two
/// differ only in a few lexical rules, which `Dialect` names; everything else (words, quoted strings, numbers,
/// comparison operators, positions counted in characters from 1) is this one scanner.
public struct QueryLexer: Sendable {
    /// The lexical rules that differ between the languages.
    public struct Dialect: Sendable {
        /// `$` starts a system word that may contain `-` (`$iothub-connection-auth-method`); otherwise it is an
        /// ordinary word character (`$version`, `$dtId`).
        public var systemWords: Bool
        /// `-5` is one number token; otherwise a sign is its own operator token.
        public var signedNumbers: Bool
        /// `+ - / %` are operators (arithmetic); otherwise they are unexpected characters.
        public var arithmetic: Bool
        /// `.5` is a number where an operand may start.
        public var leadingDotNumbers: Bool
        /// `==` is accepted as `=`.
        public var doubleEquals: Bool

        /// The twin query language of IoT Hub.
        public static let twinQuery = Dialect(systemWords: false, signedNumbers: true, arithmetic: false, leadingDotNumbers: false,
                                              doubleEquals: false)
        /// The routing query language of IoT Hub message routing.
        public static let routingCondition = Dialect(systemWords: true, signedNumbers: false, arithmetic: true, leadingDotNumbers: true,
                                                     doubleEquals: true)
    }

    /// Why text could not be split: a 1-based position and a reason.
    public struct Failure: Error, Sendable, Equatable {
        /// 1-based character position.
        public var position: Int
        /// What is wrong.
        public var reason: String

        /// Creates a failure.
        public init(position: Int, reason: String) {
            self.position = position
            self.reason = reason
        }
    }

    /// The rules in force.
    public var dialect: Dialect

    /// Creates a lexer for `dialect`.
    public init(_ dialect: Dialect) {
        self.dialect = dialect
    }

    /// The tokens of `text`, ending with `.end` positioned after the last character.
    public func tokens(_ text: String) throws(Failure) -> [QueryToken] {
        let characters = Array(text)
        var tokens: [QueryToken] = []
        var index = 0
        while index < characters.count {
            let character = characters[index]
            let start = index
            func add(_ symbol: QueryToken.Symbol, length: Int = 1) {
                tokens.append(QueryToken(kind: .symbol(symbol), position: start + 1))
                index += length
            }
            func addNumber() throws(Failure) {
                let (value, end) = try number(characters, from: start)
                tokens.append(QueryToken(kind: .number(value), position: start + 1))
                index = end
            }
            let next: Character? = index + 1 < characters.count ? characters[index + 1] : nil
            let digitFollows = next.map(Self.isDigit) ?? false
            switch character {
            case _ where character.isWhitespace:
                index += 1
            case "." where dialect.leadingDotNumbers && digitFollows && !(tokens.last.map(Self.endsOperand) ?? false):
                try addNumber()
            case "-" where dialect.signedNumbers && digitFollows:
                try addNumber()
            case ".": add(.dot)
            case ",": add(.comma)
            case "(": add(.openParenthesis)
            case ")": add(.closeParenthesis)
            case "[": add(.openBracket)
            case "]": add(.closeBracket)
            case "*": add(.star)
            case "+" where dialect.arithmetic: add(.plus)
            case "-" where dialect.arithmetic: add(.minus)
            case "/" where dialect.arithmetic: add(.slash)
            case "%" where dialect.arithmetic: add(.percent)
            case "=":
                add(.equal, length: dialect.doubleEquals && next == "=" ? 2 : 1)
            case "!":
                guard next == "=" else {
                    throw Failure(position: start + 1, reason: "'!' must be followed by '=' (use NOT for negation)")
                }
                add(.notEqual, length: 2)
            case "<":
                if next == "=" { add(.lessOrEqual, length: 2) }
                else if next == ">" { add(.notEqual, length: 2) }
                else { add(.less) }
            case ">":
                if next == "=" { add(.greaterOrEqual, length: 2) } else { add(.greater) }
            case "'", "\"":
                let (text, end) = try QueryStringLiteral.scan(characters, from: start)
                tokens.append(QueryToken(kind: .string(text), position: start + 1))
                index = end
            case _ where Self.isDigit(character):
                try addNumber()
            case "$" where dialect.systemWords:
                let end = systemWordEnd(characters, from: start)
                guard end > start + 1 else {
                    throw Failure(position: start + 1, reason: "'$' must be followed by a name such as $body or $contentType")
                }
                tokens.append(QueryToken(kind: .systemWord(String(characters[start..<end])), position: start + 1))
                index = end
            case _ where isWordStart(character):
                var end = index + 1
                while end < characters.count, isWordPart(characters[end]) { end += 1 }
                tokens.append(QueryToken(kind: .word(String(characters[start..<end])), position: start + 1))
                index = end
            default:
                throw Failure(position: start + 1, reason: "unexpected character '\(character)'")
            }
        }
        tokens.append(QueryToken(kind: .end, position: characters.count + 1))
        return tokens
    }

    /// Whether a token can end an operand, so a following `.` is member access rather than a number's start.
    private static func endsOperand(_ token: QueryToken) -> Bool {
        switch token.kind {
        case .word, .systemWord, .string, .number: true
        case .symbol(let symbol): symbol == .closeParenthesis || symbol == .closeBracket
        case .end: false
        }
    }

    private static func isDigit(_ character: Character) -> Bool {
        character.isASCII && character.isNumber
    }

    private func isWordStart(_ character: Character) -> Bool {
        character.isASCII && (character.isLetter || character == "_" || (!dialect.systemWords && character == "$"))
    }

    private func isWordPart(_ character: Character) -> Bool {
        isWordStart(character) || Self.isDigit(character)
    }

    /// System names may contain '-' (`$iothub-connection-auth-method`); '-' before a space or digit is minus.
    private func systemWordEnd(_ characters: [Character], from start: Int) -> Int {
        var end = start + 1
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
        return end
    }

    /// `[-]digits[.digits][(e|E)[+-]digits]` or `.digits…`; returns the index after it.
    private func number(_ characters: [Character], from start: Int) throws(Failure) -> (Double, Int) {
        var index = start
        func digits() { while index < characters.count, Self.isDigit(characters[index]) { index += 1 } }
        if characters[index] == "-" { index += 1 }
        digits()
        if index + 1 < characters.count, characters[index] == ".", Self.isDigit(characters[index + 1]) {
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
            throw Failure(position: start + 1, reason: "malformed number")
        }
        guard let value = Double(String(characters[start..<index])) else {
            throw Failure(position: start + 1, reason: "malformed number")
        }
        return (value, index)
    }
}
