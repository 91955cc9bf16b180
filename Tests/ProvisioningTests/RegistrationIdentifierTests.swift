import Foundation
import Provisioning
import Testing

/// DPS's registration-id rules, and that registration and enrollment creation apply them.
@Suite struct RegistrationIdentifierTests {
    @Test(arguments: ["a", "device-1", "Dev.1_x:y-", String(repeating: "a", count: 128), "0", "a-"])
    func accepted(_ id: String) {
        #expect(RegistrationIdentifier.isValid(id))
    }

    @Test(arguments: ["", String(repeating: "a", count: 129), "*", "a b", "<script>x</script>", "dev.", "dev_", "dev:",
                      "dév", "a/b", "a%20b", "a\u{0}b", "a\nb"])
    func refused(_ id: String) {
        #expect(!RegistrationIdentifier.isValid(id))
        #expect(throws: ProvisioningError.self) { try RegistrationIdentifier.validate(id) }
    }

    @Test func theRefusalIsDPSs400WithoutEchoingTheId() {
        do {
            try RegistrationIdentifier.validate("<b>" + String(repeating: "x", count: 500))
            Issue.record("accepted")
        } catch {
            #expect(error.status == 400 && error.errorCode == 400_004)
            #expect(!error.message.contains("<b>") && error.message.contains("128"))
        }
    }
}
