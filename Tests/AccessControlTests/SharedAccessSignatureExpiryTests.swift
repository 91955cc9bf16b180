import Foundation
import Testing
@testable import AccessControl

/// `se` is whatever a client writes: every value parses to a bounded expiry or is refused, never a trap.
@Suite struct SharedAccessSignatureExpiryTests {
    static let key = SharedAccessKey(bytes: Array(repeating: 7, count: 32))

    static func token(se: String) -> String {
        "SharedAccessSignature sr=hub%2Fdevices%2Fd1&sig=\(Data(key.sign(Array("hub%2Fdevices%2Fd1\n\(se)".utf8))).base64EncodedString())&se=\(se)"
    }

    @Test("whole seconds up to the end of year 9999 are accepted", arguments: ["0", "1795712665", "253402300799", "000000000001"])
    func accepted(se: String) throws {
        let token = try SharedAccessSignature(parsing: Self.token(se: se))
        #expect(token.expiry == Int64(se))
        #expect(token.expiry <= SharedAccessSignature.maximumExpiry)
    }

    @Test("absurd, negative, fractional and non-numeric values are refused as malformed", arguments: [
        ("10000000000000000", "later than the year 9999"), ("253402300800", "later than the year 9999"),
        ("99999999999999999999999999", "later than the year 9999"), ("9223372036854775808", "later than the year 9999"),
        ("-1", "decimal digits only"), ("-9223372036854775808", "decimal digits only"), ("+1795712665", "decimal digits only"),
        ("1.7e9", "decimal digits only"), ("1795712665.5", "decimal digits only"), ("1e16", "decimal digits only"),
        ("soon", "decimal digits only"), ("", "decimal digits only"), ("0x10", "decimal digits only"), ("١٢٣", "decimal digits only"),
    ])
    func refused(se: String, reason: String) {
        let error = #expect(throws: SecurityError.self) { try SharedAccessSignature(parsing: Self.token(se: se)) }
        #expect(error?.code == .malformedToken)
        #expect(error?.message.contains(reason) == true, "\(error?.message ?? "")")
    }

    @Test("the latest expiry validates and converts to milliseconds without overflow")
    func latestExpiryIsUsable() throws {
        let token = try SharedAccessSignature(parsing: Self.token(se: "253402300799"))
        try token.validate(keys: [Self.key], now: Date(timeIntervalSince1970: 1_795_712_000), requiredScope: "hub/devices/d1")
        let remaining = Date(timeIntervalSince1970: TimeInterval(token.expiry)).timeIntervalSince(Date(timeIntervalSince1970: 0))
        #expect(Int64(exactly: (remaining * 1000).rounded()) != nil)
    }

    @Test("an extreme clock does not trap the expiry check", arguments: [-1e300, 1e300, Double.infinity, -Double.infinity])
    func extremeClock(seconds: Double) throws {
        let token = try SharedAccessSignature(parsing: Self.token(se: "1795712665"))
        let now = Date(timeIntervalSince1970: seconds)
        if seconds > 0 {
            #expect(throws: SecurityError(.expiredToken, "the token has expired")) {
                try token.validate(keys: [Self.key], now: now, requiredScope: "hub/devices/d1")
            }
        } else {
            try token.validate(keys: [Self.key], now: now, requiredScope: "hub/devices/d1")
        }
    }
}
