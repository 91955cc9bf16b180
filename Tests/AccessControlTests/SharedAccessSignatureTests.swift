import Foundation
import Testing
@testable import AccessControl

@Suite struct SharedAccessSignatureTests {
    // Captured from azure-iot-device 2.14.0 (reference §4.1).
    let capturedKey = "dGhpcyBpcyBhIDMyIGJ5dGUga2V5IGZvciB0ZXN0aW5nIQ=="
    let capturedToken = "SharedAccessSignature sr=0ne00000001%2Fregistrations%2Fdev1&sig=2h0azxFeDbMUruDwFY9zDon3FIskqSnGFAygz2KUhwo%3D&se=1795712665"

    @Test func capturedDeviceTokenVerifies() throws {
        let token = try SharedAccessSignature(parsing: capturedToken)
        #expect(token.resource == "0ne00000001/registrations/dev1")
        #expect(token.keyName == nil)
        let key = try SharedAccessKey(base64: capturedKey)
        #expect(token.isSigned(with: key))
        try token.validate(keys: [key], now: Date(timeIntervalSince1970: 1_795_712_000), requiredScope: "0ne00000001/registrations/dev1")
    }

    @Test func makeReproducesCapturedToken() throws {
        let key = try SharedAccessKey(base64: capturedKey)
        #expect(SharedAccessSignature.make(resource: "0ne00000001/registrations/dev1", key: key, expiry: 1_795_712_665) == capturedToken)
    }

    @Test func expiredWrongKeyAndWrongScopeAreRefused() throws {
        let token = try SharedAccessSignature(parsing: capturedToken)
        let key = try SharedAccessKey(base64: capturedKey)
        #expect(throws: SecurityError(.expiredToken, "the token has expired")) {
            try token.validate(keys: [key], now: Date(timeIntervalSince1970: 1_795_712_665), requiredScope: "0ne00000001/registrations/dev1")
        }
        #expect(throws: SecurityError(.invalidSignature, "the token signature does not match")) {
            try token.validate(keys: [SharedAccessKey.generate()], now: Date(timeIntervalSince1970: 0), requiredScope: "0ne00000001/registrations/dev1")
        }
        #expect(throws: SecurityError(.scopeMismatch, "the token is not valid for this resource")) {
            try token.validate(keys: [key], now: Date(timeIntervalSince1970: 0), requiredScope: "0ne00000001/registrations/dev2")
        }
    }

    @Test func scopeIsPerSegmentPrefix() {
        #expect(SharedAccessSignature.scope("Hub.Local:8443", covers: "hub.local:8443/devices/d1"))
        #expect(SharedAccessSignature.scope("hub/devices/d1", covers: "hub/devices/d1/modules/m"))
        #expect(!SharedAccessSignature.scope("hub/devices/d1", covers: "hub/devices/d10"))
        #expect(!SharedAccessSignature.scope("hub/devices/d1/x", covers: "hub/devices/d1"))
    }

    @Test(arguments: [
        "sr=a&sig=b&se=1",
        "SharedAccessSignature sr=a&se=1",
        "SharedAccessSignature sr=a&sig=AAAA&se=soon",
        "SharedAccessSignature sr=a&sr=b&sig=AAAA&se=1",
        "SharedAccessSignature sig=AAAA&se=1",
        "SharedAccessSignature garbage",
    ])
    func malformedTokensAreRejected(token: String) {
        #expect(throws: SecurityError.self) { try SharedAccessSignature(parsing: token) }
    }

    @Test func percentEscapesDecodeLikeFoundation() throws {
        let token = try SharedAccessSignature(parsing: " SharedAccessSignature sr=hub.local%3A8443%2fdevices%2Fd%C3%A9v&sig=AAAA&se=1& skn =svc%20policy".dropFirst().description)
        #expect(token.rawResource == "hub.local%3A8443%2fdevices%2Fd%C3%A9v")
        #expect(token.resource == "hub.local:8443/devices/dév")
        #expect(token.keyName == "svc policy")
        for sample in ["plain", "a%2Fb", "%e2%82%ac", "100%25", "%", "%4", "%zz", "%C3%28", "a+b"] {
            #expect(sample.percentDecoded == sample.removingPercentEncoding, "\(sample)")
        }
        #expect(throws: SecurityError.self) { try SharedAccessSignature(parsing: "SharedAccessSignature sr=a%G1&sig=AAAA&se=1") }
    }

    @Test func groupKeyDerivationMatchesAzureDocVector() throws {
        let group = try SharedAccessKey(base64: "8isrFI1sGsIlvvFSSFRiMfCNzv21fjbE/+ah/lSh3lF8e2YG1Te7w1KpZhJFFXJrqYKi9yegxkqIChbqOS9Egw==")
        #expect(group.derived(for: "sn-007-888-abc-mac-a1-b2-c3-d4-e5-f6").base64 == "Jsm0lyGpjaVYVP2g3FnmnmG9dI/9qU24wNoykUmermc=")
    }

    @Test func keysAreRedactedAndValidated() throws {
        let key = SharedAccessKey.generate()
        #expect(!"\(key)".contains(key.base64))
        #expect(throws: SecurityError.self) { try SharedAccessKey(base64: "c2hvcnQ=") }
        #expect(throws: SecurityError.self) { try SharedAccessKey(base64: "not base64!") }
    }

    @Test func connectionStringCarriesPolicyAndHost() {
        let policy = SharedAccessPolicy.defaultProvisioningPolicies()[0]
        #expect(policy.connectionString(hostName: "127.0.0.1:8443") == "HostName=127.0.0.1:8443;SharedAccessKeyName=provisioningserviceowner;SharedAccessKey=\(policy.primaryKey.base64)")
    }
}
