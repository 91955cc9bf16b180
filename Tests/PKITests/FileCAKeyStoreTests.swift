import Foundation
import PKI
import Testing
import X509

@Suite("FileCAKeyStore")
struct FileCAKeyStoreTests {
    @Test("keys round-trip as PKCS#8 with mode 0600 in a 0700 directory", arguments: KeyAlgorithm.allCases)
    func roundTrip(algorithm: KeyAlgorithm) async throws {
        try await withTemporaryDirectory { base in
            let directory = base.appendingPathComponent("keys")
            let store = FileCAKeyStore(directory: directory)
            let key = try algorithm.generatePrivateKey()
            try store.storePrivateKey(key, named: "root")

            let file = directory.appendingPathComponent("root.key.pem")
            #expect(try permissions(of: file) == 0o600)
            #expect(try permissions(of: directory) == 0o700)
            let pem = try String(contentsOf: file, encoding: .utf8)
            #expect(pem.hasPrefix("-----BEGIN PRIVATE KEY-----"))
            #expect(try store.loadPrivateKey(named: "root")?.publicKey == key.publicKey)
            #expect(KeyAlgorithm(publicKey: key.publicKey) == algorithm)

            // openssl reads the file, proving the PKCS#8 re-wrapping of RSA keys is well-formed.
            let check = try OpenSSL.run(["pkey", "-in", file.path, "-noout"])
            #expect(check.succeeded, "\(check.error)")
            // No temporary files are left behind.
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["root.key.pem"])
        }
    }

    @Test("a missing key is nil and overwriting replaces atomically")
    func missingAndOverwrite() async throws {
        try await withTemporaryDirectory { base in
            let store = FileCAKeyStore(directory: base)
            #expect(try store.loadPrivateKey(named: "issuing") == nil)
            let first = try KeyAlgorithm.ecdsaP256.generatePrivateKey()
            let second = try KeyAlgorithm.ecdsaP384.generatePrivateKey()
            try store.storePrivateKey(first, named: "issuing")
            try store.storePrivateKey(second, named: "issuing")
            #expect(try store.loadPrivateKey(named: "issuing")?.publicKey == second.publicKey)
        }
    }

    @Test("key names cannot escape the directory", arguments: ["", "../root", "a/b", ".hidden"])
    func invalidNames(name: String) throws {
        let store = FileCAKeyStore(directory: FileManager.default.temporaryDirectory)
        #expect(throws: PKIError.self) { try store.loadPrivateKey(named: name) }
    }

    @Test("a corrupt key file is a clear error that does not echo the file")
    func corruptFile() async throws {
        try await withTemporaryDirectory { base in
            let secret = "c2VjcmV0LWtleS1tYXRlcmlhbA=="
            try writeFile(
                "-----BEGIN PRIVATE KEY-----\n\(secret)\n-----END PRIVATE KEY-----\n", named: "root.key.pem", in: base
            )
            do {
                _ = try FileCAKeyStore(directory: base).loadPrivateKey(named: "root")
                Issue.record("expected an error")
            } catch let error as PKIError {
                #expect(error.code == .invalidStoredMaterial)
                #expect(!error.description.contains(secret))
            }
        }
    }
}
