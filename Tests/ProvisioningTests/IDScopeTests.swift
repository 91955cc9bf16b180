import Foundation
import Testing
@testable import Provisioning

@Suite struct IDScopeTests {
    struct SeededGenerator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test func generatedScopesHaveAzureShape() {
        var generator = SeededGenerator(state: 42)
        for _ in 0..<200 {
            let scope = IDScope.generate(using: &generator)
            #expect(IDScope(scope.value) == scope)
            #expect(scope.value.count == 11)
        }
    }

    @Test(arguments: ["", "0ne", "0ne0012ab34", "1ne0012AB34", "0ne0012AB3G", "0ne0012AB345"])
    func invalidScopesAreRejected(text: String) {
        #expect(IDScope(text) == nil)
    }

    @Test func validScopeParses() {
        #expect(IDScope("0ne0012AB34")?.description == "0ne0012AB34")
    }
}

@Suite struct RegistrationTimestampTests {
    @Test func formatsLikeAzure() {
        #expect(RegistrationTimestamp.string(Date(timeIntervalSince1970: 0)) == "1970-01-01T00:00:00.0000000Z")
        #expect(RegistrationTimestamp.string(Date(timeIntervalSince1970: 1_704_067_200.5)) == "2024-01-01T00:00:00.5000000Z")
        #expect(RegistrationTimestamp.string(Date(timeIntervalSince1970: 951_782_399)) == "2000-02-28T23:59:59.0000000Z")
    }
}
