import Foundation
import Testing
import Yams

@testable import PKI

@Suite("Profiles and CA/ configuration files")
struct ProfileCatalogTests {
    static let validProfile = """
        apiVersion: provisio/v1
        kind: CertificateProfile
        name: example
        keyAlgorithm: ecdsa-p256
        validity: 1y
        isCertificateAuthority: false
        keyUsage: [digitalSignature]
        extendedKeyUsage: [clientAuth]
        subject: "CN={commonName}"
        """

    private func decodeProfile(_ yaml: String) throws -> CertificateProfile {
        try ConfigurationDocument.decode(CertificateProfile.self, from: yaml, source: "test.yaml")
    }

    private func expectConfigurationError(_ yaml: String, mentioning text: String) {
        do {
            _ = try decodeProfile(yaml)
            Issue.record("expected an error mentioning '\(text)'")
        } catch let error as PKIError {
            #expect(error.code == .invalidConfiguration)
            #expect(error.message.contains(text), "\(error.message)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test("every YAML file in CA/ loads")
    func everyFileLoads() throws {
        let files = try FileManager.default.contentsOfDirectory(at: caDirectory, includingPropertiesForKeys: nil)
            .filter { $0.pathExtension == "yaml" }
        #expect(files.count == 6)
        for file in files {
            let yaml = try String(contentsOf: file, encoding: .utf8)
            let header = try YAMLDecoder().decode(ConfigurationDocument.Header.self, from: yaml)
            switch header.kind {
            case "CertificateProfile":
                let profile = try decodeProfile(yaml)
                #expect(profile.name + ".yaml" == file.lastPathComponent)
            case "CAHierarchy":
                _ = try CAHierarchyConfiguration.load(file: file)
            default:
                Issue.record("\(file.lastPathComponent) has unexpected kind \(header.kind ?? "nil")")
            }
        }
    }

    @Test("CA/ equals the compiled-in catalog and hierarchy")
    func caDirectoryEqualsBuiltIn() throws {
        let loaded = try ProfileCatalog.load(directory: caDirectory)
        #expect(loaded == ProfileCatalog.builtIn)
        #expect(loaded.names == ["device-client", "issuing-ca", "ocsp-signer", "root-ca", "tls-server"])
        for profile in ProfileCatalog.builtIn.profiles {
            try profile.validate()
            #expect(try ValidityPeriod.seconds(from: profile.validity) == profile.validityDuration)
        }
        let hierarchy = try CAHierarchyConfiguration.load(file: caDirectory.appendingPathComponent("hierarchy.yaml"))
        #expect(hierarchy == CAHierarchyConfiguration.builtIn)
        #expect(hierarchy.rootCommonName == "Provisio Root CA")
        #expect(hierarchy.issuingCommonName == "Provisio Issuing CA 1")
    }

    @Test("built-in profiles have the documented shape")
    func builtInShape() throws {
        let catalog = ProfileCatalog.builtIn
        let root = try catalog.profile(named: "root-ca")
        #expect(root.isCertificateAuthority && root.pathLength == 1 && root.keyAlgorithm == .ecdsaP256)
        #expect(root.validityDuration == 20 * 365 * 86_400)
        #expect(try catalog.profile(named: "issuing-ca").pathLength == 0)
        #expect(try catalog.profile(named: "device-client").extendedKeyUsage == ["clientAuth"])
        #expect(try catalog.profile(named: "tls-server").validityDuration == 397 * 86_400)
        #expect(try catalog.profile(named: "ocsp-signer").extendedKeyUsage == ["ocspSigning"])
        #expect(throws: PKIError(code: .unknownProfile, message: "no certificate profile named 'nope'")) {
            try catalog.profile(named: "nope")
        }
    }

    @Test("an unknown key is an error", arguments: ["colour: blue", "pathlength: 1"])
    func unknownKeyIsError(extraLine: String) throws {
        expectConfigurationError(Self.validProfile + "\n" + extraLine, mentioning: "unknown key")
    }

    @Test("an unknown key in hierarchy.yaml is an error")
    func unknownHierarchyKeyIsError() async throws {
        try await withTemporaryDirectory { directory in
            let yaml = try String(contentsOf: caDirectory.appendingPathComponent("hierarchy.yaml"), encoding: .utf8)
            let file = try writeFile(yaml + "rootValidity: 5y\n", named: "hierarchy.yaml", in: directory)
            #expect(throws: PKIError.self) { try CAHierarchyConfiguration.load(file: file) }
        }
    }

    @Test("an unknown key in a CA directory file fails the whole load, naming the file")
    func unknownKeyFailsDirectoryLoad() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(Self.validProfile + "\nextra: true\n", named: "example.yaml", in: directory)
            do {
                _ = try ProfileCatalog.load(directory: directory)
                Issue.record("expected an error")
            } catch let error as PKIError {
                #expect(error.code == .invalidConfiguration)
                #expect(error.message.contains("example.yaml") && error.message.contains("extra"))
            }
        }
    }

    @Test("validity strings parse to seconds", arguments: [
        ("20y", 20 * 365 * 86_400), ("5y", 5 * 365 * 86_400), ("397d", 397 * 86_400), ("24h", 86_400), ("30m", 1_800),
    ])
    func validityParses(text: String, seconds: Int) throws {
        #expect(try ValidityPeriod.seconds(from: text) == TimeInterval(seconds))
    }

    @Test("a bad validity string is an error", arguments: ["", "0d", "5", "1.5y", "-3d", "10w", "y", "200y", "1 y", "P1Y"])
    func badValidityIsError(validity: String) throws {
        let yaml = Self.validProfile.replacingOccurrences(of: "validity: 1y", with: "validity: \"\(validity)\"")
        expectConfigurationError(yaml, mentioning: "validity")
        #expect(throws: PKIError.self) {
            try CertificateProfile(
                name: "x", keyAlgorithm: .ecdsaP256, validity: validity, isCertificateAuthority: false,
                keyUsage: ["digitalSignature"], subject: "CN={commonName}"
            )
        }
    }

    @Test("inconsistent profiles are errors", arguments: [
        ("keyUsage: [digitalSignature]", "keyUsage: [digitalSignature, signEverything]", "signEverything"),
        ("extendedKeyUsage: [clientAuth]", "extendedKeyUsage: [clientAuth, shouting]", "shouting"),
        ("isCertificateAuthority: false", "isCertificateAuthority: true", "keyCertSign"),
        ("isCertificateAuthority: false", "isCertificateAuthority: false\npathLength: 0", "pathLength"),
        ("CN={commonName}", "CN={deviceName}", "placeholder"),
        ("CN={commonName}", "O=Provisio", "CN"),
        ("CN={commonName}", "CN={commonName}, XX=1", "XX"),
        ("apiVersion: provisio/v1", "apiVersion: provisio/v2", "apiVersion"),
        ("kind: CertificateProfile", "kind: Profile", "kind"),
        ("keyAlgorithm: ecdsa-p256", "keyAlgorithm: dsa-1024", "keyAlgorithm"),
    ])
    func inconsistentProfileIsError(original: String, replacement: String, mention: String) throws {
        let yaml = Self.validProfile.replacingOccurrences(of: original, with: replacement)
        #expect(yaml != Self.validProfile)
        expectConfigurationError(yaml, mentioning: mention)
    }

    @Test("custom EKU OIDs and the public initialiser validate")
    func publicInitialiser() throws {
        let profile = try CertificateProfile(
            name: "ek-like", keyAlgorithm: .rsa2048, validity: "90d", isCertificateAuthority: false,
            keyUsage: ["keyEncipherment"], extendedKeyUsage: ["2.23.133.8.1"], subject: "CN={commonName}, C=DE"
        )
        #expect(profile.validityDuration == 90 * 86_400)
        #expect(try profile.parsedExtendedKeyUsage().count == 1)
        let decoded = try decodeProfile(Self.validProfile)
        #expect(decoded.name == "example" && decoded.apiVersion == "provisio/v1")
    }

    @Test("profiles survive a YAML encode/decode round trip")
    func yamlRoundTrip() throws {
        for profile in ProfileCatalog.builtIn.profiles {
            let yaml = try YAMLEncoder().encode(profile)
            #expect(try decodeProfile(yaml) == profile)
        }
        let hierarchy = try YAMLEncoder().encode(CAHierarchyConfiguration.builtIn)
        #expect(try YAMLDecoder().decode(CAHierarchyConfiguration.self, from: hierarchy) == .builtIn)
    }

    @Test("duplicate profile names across files are an error")
    func duplicateNamesAreError() async throws {
        try await withTemporaryDirectory { directory in
            try writeFile(Self.validProfile, named: "a.yaml", in: directory)
            try writeFile(Self.validProfile, named: "b.yaml", in: directory)
            #expect(throws: PKIError.self) { try ProfileCatalog.load(directory: directory) }
        }
    }

    @Test("subject templates render in DER order with consistent string types")
    func subjectTemplateRendering() throws {
        let template = try SubjectTemplate(parsing: "CN={commonName}, OU=Devices, O={organization}")
        let name = try template.render(.init(commonName: "dev,1 {organization}", organization: "Acme"))
        #expect(String(describing: name) == #"CN=dev\,1 {organization},OU=Devices,O=Acme"#)
        #expect(throws: PKIError.self) { try template.render(.init(commonName: "", organization: "Acme")) }
    }
}
