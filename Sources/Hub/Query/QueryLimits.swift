/// Bounds both SQL-like languages (twin queries and routing conditions) enforce while parsing, so that neither the
/// parser nor the evaluation, comparison or release of a syntax tree recurses without bound, whoever wrote the text.
///
/// The tree a parser builds is at most about `maximumOperators + maximumNesting` levels deep (`AND`, `OR` and arithmetic
/// chains nest to the left), and the parser itself recurses at most `maximumNesting` levels (parentheses, `NOT`, signs,
/// call arguments), so both stay a few hundred frames whatever the text.
public struct QueryLimits: Sendable, Equatable {
    /// Longest text, in characters.
    public var maximumLength: Int
    /// Deepest nesting of parentheses, `NOT`, unary signs and function-call arguments.
    public var maximumNesting: Int
    /// Most operators (`AND`, `OR`, `NOT`, arithmetic, signs) in one text.
    public var maximumOperators: Int

    /// Creates limits.
    public init(maximumLength: Int, maximumNesting: Int, maximumOperators: Int) {
        self.maximumLength = maximumLength
        self.maximumNesting = maximumNesting
        self.maximumOperators = maximumOperators
    }

    /// What both languages accept: 8192 characters, 32 levels, 512 operators — far beyond any query IoT Hub's own
    /// documentation shows, far below what would exhaust a thread's stack.
    public static let standard = QueryLimits(maximumLength: 8192, maximumNesting: 32, maximumOperators: 512)

    /// Why a text is over a limit; parsers turn it into their own syntax error at `position`.
    public struct Exceeded: Error, Sendable, Equatable {
        /// 1-based character position where the limit was passed.
        public var position: Int
        /// Which limit, and its value.
        public var reason: String
    }

    /// Refuses text longer than `maximumLength` characters (checked before it is split into tokens).
    public func checkLength(of text: String) throws(Exceeded) {
        // utf8.count is O(1) for native strings and bounds the character count from above.
        guard text.utf8.count > maximumLength, text.count > maximumLength else { return }
        throw Exceeded(position: maximumLength + 1, reason: "the text is longer than \(maximumLength) characters")
    }

    /// Counts nesting and operators while one text is parsed.
    public struct Budget: Sendable {
        /// The limits in force.
        public let limits: QueryLimits
        /// Current nesting level.
        public private(set) var nesting = 0
        /// Operators seen so far.
        public private(set) var operators = 0

        /// A budget for one text.
        public init(_ limits: QueryLimits) { self.limits = limits }

        /// Enters one level of nesting (call `leave()` when the nested part is parsed).
        public mutating func enter(at position: Int) throws(Exceeded) {
            guard nesting < limits.maximumNesting else {
                throw Exceeded(position: position, reason: "parentheses, NOT, signs and function arguments nest deeper than \(limits.maximumNesting) levels")
            }
            nesting += 1
        }

        /// Leaves the level `enter(at:)` entered.
        public mutating func leave() {
            nesting -= 1
        }

        /// Counts one operator.
        public mutating func countOperator(at position: Int) throws(Exceeded) {
            guard operators < limits.maximumOperators else {
                throw Exceeded(position: position, reason: "more than \(limits.maximumOperators) operators (AND, OR, NOT, arithmetic)")
            }
            operators += 1
        }
    }
}
