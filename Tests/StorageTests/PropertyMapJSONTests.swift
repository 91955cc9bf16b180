import Foundation
import GRDB
@testable import Storage
import Testing

@Suite("Property map JSON")
struct PropertyMapJSONTests {
    static let awkward: [String: String] = [
        "": "empty key", "plain": "value", "quote\"d": "back\\slash", "lines": "a\nb\r\tc", "control": "\u{01}\u{1f}",
        "slash/key": "http://x/y", "unicode": "héllo ✓ 🚀", "$.ct": "application/json",
    ]

    @Test("what it writes, it reads back exactly, and JSONDecoder reads the same map")
    func roundTrip() throws {
        for map in [[:], ["a": "1"], Self.awkward] {
            let text = PropertyMapJSON.encode(map)
            #expect(PropertyMapJSON.decode(text) == map)
            #expect(try JSONDecoder().decode([String: String].self, from: Data(text.utf8)) == map)
        }
    }

    @Test("the text is compact JSON: no spaces, slashes unescaped")
    func compact() {
        #expect(PropertyMapJSON.encode(["a": "1/2"]) == #"{"a":"1/2"}"#)
        #expect(PropertyMapJSON.encode([:]) == "{}")
    }

    @Test("rows JSONEncoder wrote earlier (escaped slashes, \\u escapes, spaces) still read")
    func readsFoundationOutput() throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        let text = String(decoding: try encoder.encode(Self.awkward), as: UTF8.self)
        #expect(PropertyMapJSON.decode(text) == Self.awkward)
        #expect(PropertyMapJSON.decode(#" { "a" : "\u00e9\/" , "b":"" } "#) == ["a": "é/", "b": ""])
    }

    @Test("text that is not an object of strings is nil, not a crash", arguments: [
        "", "[]", "{", #"{"a":1}"#, #"{"a":"1"} x"#, #"{"a":"\q"}"#, #"{"a" "1"}"#, "null", #"{"a":"1""#,
    ])
    func rejects(text: String) {
        #expect(PropertyMapJSON.decode(text) == nil)
    }

    @Test("dates are written exactly as GRDB writes them")
    func dates() throws {
        for seconds in [0.0, 1_764_000_000.123_456, 1_798_761_599.999_9, 1_798_761_599.999_4, 1_764_000_000.000_5, 951_782_400.5, -86_400.25, -0.0004] {
            let date = Date(timeIntervalSince1970: seconds)
            #expect(StoredDateText.string(date) == String.fromDatabaseValue(date.databaseValue))
        }
    }
}
