import Foundation
import Provisioning
@testable import Routing
import Testing

/// The body parser agrees with Foundation on valid JSON and rejects what is not JSON.
@Suite("JSON body parser")
struct JSONBodyParserTests {
    @Test("valid documents parse like Foundation's decoder", arguments: [
        #"{"a": 1, "b": [true, false, null, -2.5e3, 0.25], "c": {"d": "e\"\\\/\n\u00e9\ud83d\ude00"}}"#,
        "[]", "{}", "  42  ", #""text""#, "null", "[1,[2,[3,{}]]]", "-0", "1E+2",
    ])
    func valid(_ text: String) throws {
        let expected = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(JSONBodyParser.parse(text) == expected)
    }

    @Test("invalid documents are nil", arguments: [
        "", "{", "[1,]", #"{"a" 1}"#, "01", "1.", ".5", "tru", "nul", #""unterminated"#, "[1] 2", #"{"a":1,}"#, "\"\u{01}\"",
        #""\x""#, #""\ud800""#, "NaN", "1e",
    ])
    func invalid(_ text: String) {
        #expect(JSONBodyParser.parse(text) == nil)
    }
}
