import Crypto
import Foundation
import PKI
import Testing
import X509

/// `Policies/issuance.yaml`: strict decoding, checks against the profiles, which policy applies, and what a policy
/// lets through (key types, subject alternative names, validity).
@Suite("Issuance policies")
struct IssuancePolicyTests {
    static let policies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Policies")

    static let example = """
        apiVersion: provisio/v1
        kind: IssuancePolicy
        defaultPolicy: standard
        policies:
          - name: standard
          - name: strict
            validity: 30d
            keyAlgorithms: [ecdsa-p256]
            subjectAlternativeNames:
              requirement: required
              dnsNames: ["{deviceId}.devices.example.com"]
              uris: ["urn:example:{registrationId}"]
            onRenewal: revoke
        enrollments: {Sensor-1: strict}
        enrollmentGroups: {Gateways: strict}
        """

    static func compile(_ yaml: String) throws -> IssuancePolicySet {
        try IssuancePolicyDocument.parse(yaml: yaml, source: "test.yaml").compile(profiles: .builtIn)
    }

    static func csr(_ commonName: String, key: Certificate.PrivateKey = .init(P256.Signing.PrivateKey()),
                    names: [GeneralName] = []) throws -> CertificateSigningRequest {
        var attributes = CertificateSigningRequest.Attributes()
        if !names.isEmpty {
            let extensions = try Certificate.Extensions { SubjectAlternativeNames(names) }
            attributes.insert(try .init(ExtensionRequest(extensions: extensions)))
        }
        return try CertificateSigningRequest(version: .v1, subject: try DistinguishedName { CommonName(commonName) },
                                             privateKey: key, attributes: attributes)
    }

    @Test("Policies/issuance.yaml and every example compile; the shipped file is the built-in default")
    func shippedFiles() throws {
        let shipped = try IssuancePolicyDocument.load(from: Self.policies.appendingPathComponent("issuance.yaml"))
        #expect(try shipped.compile(profiles: .builtIn) == IssuancePolicySet.builtIn(profiles: .builtIn))
        let examples = try FileManager.default.contentsOfDirectory(at: Self.policies.appendingPathComponent("examples"),
                                                                   includingPropertiesForKeys: nil)
            .filter { $0.lastPathComponent.hasPrefix("issuance") }
        #expect(!examples.isEmpty)
        for file in examples { _ = try IssuancePolicyDocument.load(from: file).compile(profiles: .builtIn) }
    }

    @Test("groups and individual enrollments map to their policy case-insensitively; others get the default")
    func mapping() throws {
        let set = try Self.compile(Self.example)
        #expect(set.policy(enrollmentGroupId: "gateways", registrationId: "x").name == "strict")
        #expect(set.policy(enrollmentGroupId: nil, registrationId: "sensor-1").name == "strict")
        #expect(set.policy(enrollmentGroupId: "other", registrationId: "sensor-1").name == "standard")
        #expect(set.policy(enrollmentGroupId: nil, registrationId: "sensor-2").name == "standard")
        let strict = set.policy(enrollmentGroupId: "Gateways", registrationId: "x")
        #expect(strict.profile.validity == "30d" && strict.profile.name == "device-client")
        #expect(strict.policy.onRenewal == .revoke)
        #expect(set.defaultPolicy.policy.keyAlgorithms == CSRKeyType.allCases)
        #expect(set.defaultPolicy.policy.onRenewal == .keep)
    }

    @Test("unknown keys, undefined policies, too long validity, CA profiles and bad templates are errors",
          arguments: [
            ("policies:\n  - name: standard\n    colour: red\n", "unknown key 'colour'"),
            ("policies:\n  - name: standard\nenrollments: {a: missing}\n", "undefined policy 'missing'"),
            ("policies:\n  - name: standard\n    validity: 2y\n", "exceeds profile 'device-client'"),
            ("policies:\n  - name: standard\n    profile: issuing-ca\n", "is a CA profile"),
            ("policies:\n  - name: standard\n    profile: nope\n", "no certificate profile named 'nope'"),
            ("policies:\n  - name: standard\n    keyAlgorithms: [dsa-1024]\n", "keyAlgorithms"),
            ("policies:\n  - name: standard\n    keyAlgorithms: []\n", "must not be empty"),
            ("policies:\n  - name: standard\n    subjectAlternativeNames: {requirement: optional, dnsNames: [\"{serial}.x\"]}\n",
             "placeholder"),
            ("policies:\n  - name: standard\n    subjectAlternativeNames: {requirement: required}\n", "needs dnsNames or uris"),
            ("policies:\n  - name: standard\n    subjectAlternativeNames: {requirement: none, uris: [\"urn:x\"]}\n", "takes no templates"),
            ("policies:\n  - name: standard\n  - name: standard\n", "defined twice"),
            ("policies:\n  - name: other\n", "defaultPolicy 'standard' is not defined"),
            ("policies:\n  - name: standard\n    onRenewal: shred\n", "onRenewal"),
          ])
    func invalidDocuments(body: String, expected: String) throws {
        let yaml = "apiVersion: provisio/v1\nkind: IssuancePolicy\ndefaultPolicy: standard\n" + body
        do {
            _ = try Self.compile(yaml)
            Issue.record("accepted: \(body)")
        } catch let error as PKIError {
            #expect(error.message.contains(expected), "\(error.message)")
        }
    }

    @Test("the wrong kind or apiVersion is refused")
    func header() {
        #expect(throws: PKIError.self) { try Self.compile("apiVersion: provisio/v1\nkind: RoutingPolicy\ndefaultPolicy: a\npolicies: []\n") }
        #expect(throws: PKIError.self) { try Self.compile("apiVersion: provisio/v2\nkind: IssuancePolicy\ndefaultPolicy: a\npolicies: []\n") }
    }

    @Test("key types outside the policy are refused; allowed ones pass")
    func keyTypes() throws {
        let strict = try Self.compile(Self.example).policy(enrollmentGroupId: "gateways", registrationId: "d1")
        let p384 = try Self.csr("d1", key: .init(P384.Signing.PrivateKey()), names: [.dnsName("d1.devices.example.com")])
        #expect {
            _ = try strict.check(p384, registrationId: "d1", deviceId: "d1")
        } throws: { ($0 as? PKIError)?.code == .disallowedKey && "\($0)".contains("allowed: ecdsa-p256") }
        let p256 = try Self.csr("d1", names: [.dnsName("D1.devices.example.com")])
        #expect(try strict.check(p256, registrationId: "d1", deviceId: "d1") == [.dnsName("D1.devices.example.com")])
        #expect(CSRKeyType(publicKey: Certificate.PrivateKey(P384.Signing.PrivateKey()).publicKey) == .ecdsaP384)
    }

    @Test("SAN rules: none refuses any, required needs one, every name must match a rendered template")
    func subjectAlternativeNames() throws {
        let set = try Self.compile(Self.example)
        let standard = set.defaultPolicy
        let strict = set.policy(enrollmentGroupId: "gateways", registrationId: "reg-1")
        #expect(try standard.check(try Self.csr("reg-1"), registrationId: "reg-1", deviceId: "dev-1").isEmpty)
        #expect(throws: PKIError.self) {
            try standard.check(try Self.csr("reg-1", names: [.dnsName("reg-1.example.com")]), registrationId: "reg-1", deviceId: "dev-1")
        }
        #expect(throws: PKIError.self) { try strict.check(try Self.csr("reg-1"), registrationId: "reg-1", deviceId: "dev-1") }
        let good: [GeneralName] = [.dnsName("dev-1.devices.example.com"), .uniformResourceIdentifier("urn:example:reg-1")]
        #expect(try strict.check(try Self.csr("reg-1", names: good), registrationId: "reg-1", deviceId: "dev-1") == good)
        for bad: GeneralName in [.dnsName("reg-1.devices.example.com"), .uniformResourceIdentifier("urn:example:REG-1"),
                                 .rfc822Name("dev-1@example.com")] {
            #expect(throws: PKIError.self) {
                try strict.check(try Self.csr("reg-1", names: [good[0], bad]), registrationId: "reg-1", deviceId: "dev-1")
            }
        }
    }

    @Test("a certificate issued under a policy has its validity and SANs, as openssl reads them")
    func issuanceUnderPolicy() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try await HierarchyFixture.make(in: base)
            let strict = try Self.compile(Self.example).policy(enrollmentGroupId: "gateways", registrationId: "reg-1")
            let request = try Self.csr("reg-1", names: [.dnsName("dev-1.devices.example.com")])
            let names = try strict.check(request, registrationId: "reg-1", deviceId: "dev-1")
            let chain = try await fixture.hierarchy.issue(csr: request, profile: strict.profile, deviceId: "dev-1",
                                                          enrollmentId: "gateways", subjectAlternativeNames: names, now: fixture.now)
            let lifetime = chain[0].notValidAfter.timeIntervalSince(chain[0].notValidBefore)
            #expect(abs(lifetime - 30 * 86_400) < 2)
            let leaf = try fixture.write(chain[0], named: "leaf.pem")
            let san = try OpenSSL.x509(leaf, ["-ext", "subjectAltName"]).output
            #expect(san.contains("DNS:dev-1.devices.example.com"), "\(san)")
            let verify = try OpenSSL.verify(root: fixture.rootFile, issuing: fixture.issuingFile, leaf: leaf, purpose: "sslclient")
            #expect(verify.succeeded, "\(verify.output)\(verify.error)")
        }
    }
}
