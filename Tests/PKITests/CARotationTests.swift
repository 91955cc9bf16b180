import Crypto
import Foundation
import PKI
import SwiftASN1
import Testing
import X509

@Suite("CA generations: rotation, activation, retirement")
struct CARotationTests {
    private struct Fixture {
        let directory: URL
        let rotation: CARotation
        let store: InMemoryCAGenerationStore
        let inventory: InMemoryCertificateInventory

        init(base: URL) throws {
            directory = base.appendingPathComponent("ca", isDirectory: true)
            store = InMemoryCAGenerationStore()
            inventory = InMemoryCertificateInventory()
            rotation = CARotation(directory: directory,
                                  keyStore: FileCAKeyStore(directory: base.appendingPathComponent("keys", isDirectory: true)),
                                  configuration: .builtIn, profiles: .builtIn, inventory: inventory, store: store)
        }

        func issueLeaf(_ set: CAGenerationSet, now: Date, name: String) async throws -> [Certificate] {
            let hierarchy = try CAHierarchy(root: set.active(at: now).root, issuing: set.active(at: now).issuing,
                                            configuration: .builtIn, inventory: inventory)
            let key = Certificate.PrivateKey(P256.Signing.PrivateKey())
            let csr = try CertificateSigningRequest(
                version: .v1, subject: try DistinguishedName { CommonName(name) }, privateKey: key, attributes: .init())
            return try await hierarchy.issue(csr: csr, profile: ProfileCatalog.builtIn.profile(named: "device-client"),
                                             deviceId: name, enrollmentId: nil, now: now)
        }
    }

    @Test("the first load records generation 1 from the first-start hierarchy, once")
    func firstGeneration() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try Fixture(base: base)
            let now = Date()
            let set = try await fixture.rotation.load(now: now)
            #expect(set.generations.map(\.number) == [1])
            #expect(set.generations[0].root.name == "root" && set.generations[0].issuing.name == "issuing")
            #expect(set.status(of: 1, at: now) == .active)
            let again = try await fixture.rotation.load(now: now)
            #expect(again.generations.count == 1)
            #expect(again.generations[0].issuing.certificate == set.generations[0].issuing.certificate)
            #expect(set.trustedRoots == [set.generations[0].root.certificate])
        }
    }

    @Test("a pending issuing CA under the same root takes over issuance at its activation time")
    func pendingThenActive() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try Fixture(base: base)
            let now = Date()
            let first = try await fixture.rotation.load(now: now)
            let activation = now.addingTimeInterval(3600)
            let (set, added) = try await fixture.rotation.rotate(newRoot: false, activatesAt: activation, now: now)
            #expect(added.number == 2)
            #expect(added.issuing.name == "issuing-2")
            #expect(added.root.certificate == first.generations[0].root.certificate, "same root")
            #expect(String(describing: added.issuing.certificate.subject) == "CN=Provisio Issuing CA 2,O=Provisio")
            #expect(set.status(of: 2, at: now) == .pending(activatesAt: activation))
            #expect(set.active(at: now).number == 1)
            #expect(set.nextActivation(after: now) == activation)
            #expect(set.trustedRoots.count == 1, "no new root, the bundle keeps one root")
            #expect(set.verifyingIssuingCertificates.count == 2)

            let later = activation.addingTimeInterval(1)
            #expect(set.active(at: later).number == 2)
            #expect(set.status(of: 1, at: later) == .verifyingOnly)
            let leaf = try await fixture.issueLeaf(set, now: later, name: "device-2")
            #expect(leaf[0].issuer == added.issuing.certificate.subject)
            #expect(leaf[1] == added.issuing.certificate)
        }
    }

    @Test("a root rollover adds a second root to the trust bundle; openssl verifies old and new leaves against it")
    func rootRollover() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try Fixture(base: base)
            let now = Date()
            let before = try await fixture.rotation.load(now: now)
            let oldLeaf = try await fixture.issueLeaf(before, now: now, name: "device-old")
            let (set, added) = try await fixture.rotation.rotate(newRoot: true, activatesAt: now, now: now)
            #expect(added.root.name == "root-2")
            #expect(String(describing: added.root.certificate.subject) == "CN=Provisio Root CA G2,O=Provisio")
            #expect(set.active(at: now).number == 2)
            #expect(set.trustedRoots.count == 2)
            let newLeaf = try await fixture.issueLeaf(set, now: now, name: "device-new")

            // Both leaves verify against the bundle (both roots), with their own issuing CA as the untrusted chain.
            let bundle = try writeFile(set.trustBundlePEM, named: "bundle.pem", in: base)
            for (index, chain) in [oldLeaf, newLeaf].enumerated() {
                let leaf = try writeFile(try chain[0].serializeAsPEM().pemString + "\n", named: "leaf-\(index).pem", in: base)
                let issuing = try writeFile(try chain[1].serializeAsPEM().pemString + "\n", named: "issuing-\(index).pem", in: base)
                let result = try OpenSSL.verify(root: bundle, issuing: issuing, leaf: leaf, purpose: "sslclient")
                #expect(result.succeeded, "\(result.error)")
            }
        }
    }

    @Test("retiring: the active generation is refused; a retired one leaves the anchors, the bundle and the CA list")
    func retirement() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try Fixture(base: base)
            let now = Date()
            _ = try await fixture.rotation.load(now: now)
            let (_, added) = try await fixture.rotation.rotate(newRoot: true, activatesAt: now, now: now)
            await #expect(throws: PKIError.self) { try await fixture.rotation.retire(generation: 2, now: now) }
            await #expect(throws: PKIError.self) { try await fixture.rotation.retire(generation: 7, now: now) }

            let set = try await fixture.rotation.retire(generation: 1, now: now)
            #expect(set.status(of: 1, at: now) == .retired(at: now))
            #expect(set.trustedRoots == [added.root.certificate])
            #expect(set.verifyingIssuingCertificates == [added.issuing.certificate])
            #expect(set.verifyingAuthorities.map(\.name) == ["issuing-2", "root-2"])
            let retiredIssuing = try #require(set.generations.first { $0.number == 1 }).issuing.certificate
            #expect(await fixture.store.revokedIssuingSerials == [SerialNumberText.canonical(bytes: retiredIssuing.serialNumber.bytes)])
            await #expect(throws: PKIError.self) { try await fixture.rotation.retire(generation: 1, now: now) }
            // The retired root still publishes its CRL (it lists the retired issuing CA); nothing else of generation 1 does.
            let retiredRoot = try #require(set.generations.first { $0.number == 1 }).root
            #expect(!set.verifyingAuthorities.contains { $0.name == retiredRoot.name })
            #expect(set.revocationAuthorities(at: now).map(\.name) == set.verifyingAuthorities.map(\.name) + [retiredRoot.name])
            let retiredIssuingName = try #require(set.generations.first { $0.number == 1 }).issuing.name
            #expect(!set.revocationAuthorities(at: now).contains { $0.name == retiredIssuingName })

            // Survives a reload from the files and the store.
            let reloaded = try await fixture.rotation.load(now: now)
            #expect(reloaded.trustedRoots == [added.root.certificate])
        }
    }

    @Test("a device chain from a retired issuing CA no longer validates against the issuing-CA anchors")
    func retiredIssuerStopsValidating() async throws {
        try await withTemporaryDirectory { base in
            let fixture = try Fixture(base: base)
            let now = Date()
            let first = try await fixture.rotation.load(now: now)
            let oldChain = try await fixture.issueLeaf(first, now: now, name: "device-old")
            let (rotated, _) = try await fixture.rotation.rotate(newRoot: false, activatesAt: now, now: now)
            let newChain = try await fixture.issueLeaf(rotated, now: now, name: "device-new")
            let overlap = DeviceChainValidator(trustAnchors: rotated.verifyingIssuingCertificates)
            #expect(await overlap.validate(chain: Array(oldChain.prefix(2)), at: now).isValid)
            #expect(await overlap.validate(chain: Array(newChain.prefix(2)), at: now).isValid)

            let retired = try await fixture.rotation.retire(generation: 1, now: now)
            let after = DeviceChainValidator(trustAnchors: retired.verifyingIssuingCertificates)
            #expect(await !after.validate(chain: Array(oldChain.prefix(2)), at: now).isValid)
            #expect(await after.validate(chain: Array(newChain.prefix(2)), at: now).isValid)
        }
    }
}
