import Crypto
import Foundation
@testable import Provisioning
import Testing

/// The blob builder against independent implementations: `tpm2_makecredential -T none` (tpm2-tools over OpenSSL, no
/// TPM) for MakeCredential, and `openssl pkeyutl` for RSA-OAEP with a label. A software stand-in for the TPM (RSA keys
/// made by openssl, put into the TCG templates) decrypts the Swift output the way TPM2_ActivateCredential and
/// TPM2_Import do; the end-to-end tests do the same with swtpm.
@Suite("TPM credential and duplication blobs", .serialized)
struct TPMCredentialTests {
    @Test("OAEP with a label: openssl recovers the message, and the encoding is deterministic for a given seed")
    func oaepWithLabel() throws {
        let tpm = try SoftwareTPM()
        let key = try RSAOAEPPublicKey(tpm.endorsementKey)
        let message = Array("a 32-byte seed for the TPM test!".utf8)
        let seed = [UInt8](repeating: 7, count: 32)
        let encrypted = try key.encrypt(message, label: Array("IDENTITY".utf8) + [0], seed: seed)
        #expect(encrypted.count == 256)
        #expect(try key.encrypt(message, label: Array("IDENTITY".utf8) + [0], seed: seed) == encrypted)
        #expect(try tpm.endorsementPrivateKey.decrypt(encrypted, label: "IDENTITY") == message)
        #expect(throws: SoftwareTPM.Failure.self) { try tpm.endorsementPrivateKey.decrypt(encrypted, label: "DUPLICATE") }
    }

    @Test("MakeCredential in Swift and tpm2_makecredential -T none produce blobs one activation routine opens alike")
    func makeCredentialMatchesTPM2Tools() throws {
        let tpm = try SoftwareTPM()
        let objectName = bytes(hex: TPMVectors.storageRootKeyName)
        let credential = (0..<16).map { UInt8($0 * 3) }
        let seed = (0..<32).map { UInt8(255 - $0) }

        let swift = try TPMCredential(protecting: credential, for: tpm.endorsementKey, objectName: objectName, seed: seed,
                                      oaepSeed: [UInt8](repeating: 9, count: 32))
        let tools = try tpm.makeCredentialWithTPM2Tools(credential, objectName: objectName)

        #expect(swift.idObject.count == tools.idObject.count, "TPM2B_ID_OBJECT: size, integrity digest, encrypted credential")
        #expect(swift.encryptedSecret.count == tools.encryptedSecret.count)
        #expect(try tpm.endorsementPrivateKey.decrypt(Array(swift.encryptedSecret.dropFirst(2)), label: "IDENTITY") == seed)
        #expect(try tpm.activateCredential(idObject: swift.idObject, encryptedSecret: swift.encryptedSecret, objectName: objectName) == credential)
        #expect(try tpm.activateCredential(idObject: tools.idObject, encryptedSecret: tools.encryptedSecret, objectName: objectName) == credential)
        // Deterministic given its randomness: the same inputs give the same bytes.
        let again = try TPMCredential(protecting: credential, for: tpm.endorsementKey, objectName: objectName, seed: seed,
                                      oaepSeed: [UInt8](repeating: 9, count: 32))
        #expect(again.idObject == swift.idObject && again.encryptedSecret == swift.encryptedSecret)
        // Bound to the object: activation for another Name fails its integrity check.
        #expect(throws: SoftwareTPM.Failure.self) {
            try tpm.activateCredential(idObject: swift.idObject, encryptedSecret: swift.encryptedSecret, objectName: tpm.storageRootKey.name)
        }
    }

    @Test("the authenticationKey blob splits into the six fields and imports to the wrapped HMAC key")
    func authenticationKeyRoundTrip() throws {
        let tpm = try SoftwareTPM()
        let random = SeededBytes(seed: 7)
        let hmacKey = Array("thirty-two bytes of identity key".utf8)
        let blob = try TPMAuthenticationKey(wrapping: hmacKey, endorsementKey: tpm.endorsementKey, storageRootKey: tpm.storageRootKey,
                                            randomBytes: { random.bytes($0) })
        let parts = try SoftwareTPM.Blob(blob.bytes)
        #expect(parts.encryptedSecret.count == 258 && parts.encryptedSeed.count == 258)
        #expect(parts.encryptedData == [0, 0])
        #expect(try tpm.recoverKey(from: blob.bytes) == hmacKey)
        let same = try TPMAuthenticationKey(wrapping: hmacKey, endorsementKey: tpm.endorsementKey, storageRootKey: tpm.storageRootKey,
                                            randomBytes: { SeededBytes(seed: 7).bytes($0) })
        #expect(same.bytes.count == blob.bytes.count)
    }

    @Test("a tampered duplicate fails the outer integrity check, as TPM2_Import would")
    func tamperedDuplicate() throws {
        let tpm = try SoftwareTPM()
        let random = SeededBytes(seed: 3)
        var blob = try TPMAuthenticationKey(wrapping: [UInt8](repeating: 5, count: 32), endorsementKey: tpm.endorsementKey,
                                            storageRootKey: tpm.storageRootKey, randomBytes: { random.bytes($0) }).bytes
        let parts = try SoftwareTPM.Blob(blob)
        let duplicateStart = parts.idObject.count + parts.encryptedSecret.count
        blob[duplicateStart + 40] ^= 0x01
        #expect(throws: SoftwareTPM.Failure.self) { try tpm.recoverKey(from: blob) }
    }
}

/// Plays a TPM holding an EK and SRK whose private keys are openssl RSA keys, so tests can open what the service wraps.
final class SoftwareTPM: Sendable {
    /// Why opening a blob failed.
    struct Failure: Error, CustomStringConvertible {
        let description: String
        init(_ description: String) { self.description = description }
    }

    /// An openssl RSA-2048 private key in a temporary PEM file.
    struct PrivateKey: Sendable {
        let file: URL
        let modulus: [UInt8]

        init(directory: URL, name: String) throws {
            file = directory.appendingPathComponent("\(name).pem")
            try SoftwareTPM.run("openssl", ["genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", file.path])
            let text = String(decoding: try SoftwareTPM.run("openssl", ["rsa", "-in", file.path, "-noout", "-modulus"]), as: UTF8.self)
            modulus = bytes(hex: String(text.split(separator: "=").last ?? "").trimmingCharacters(in: .whitespacesAndNewlines))
        }

        /// RSA-OAEP-SHA-256 decryption with the label `label ‖ 0x00`.
        func decrypt(_ ciphertext: [UInt8], label: String) throws -> [UInt8] {
            let input = file.deletingLastPathComponent().appendingPathComponent(UUID().uuidString)
            try Data(ciphertext).write(to: input)
            defer { try? FileManager.default.removeItem(at: input) }
            return try SoftwareTPM.run("openssl", [
                "pkeyutl", "-decrypt", "-inkey", file.path, "-in", input.path, "-pkeyopt", "rsa_padding_mode:oaep",
                "-pkeyopt", "rsa_oaep_md:sha256", "-pkeyopt", "rsa_mgf1_md:sha256", "-pkeyopt", "rsa_oaep_label:\(hex(Array(label.utf8) + [0]))",
            ])
        }
    }

    /// The six fields of an `authenticationKey` blob.
    struct Blob {
        var idObject: [UInt8], encryptedSecret: [UInt8], duplicate: [UInt8], encryptedSeed: [UInt8], publicArea: [UInt8], encryptedData: [UInt8]

        init(_ bytes: [UInt8]) throws {
            var reader = TPMReader(bytes, subject: "blob")
            func next() throws -> [UInt8] { TPMWriter.sized(try reader.readSized()) }
            (idObject, encryptedSecret, duplicate, encryptedSeed, publicArea, encryptedData) = (try next(), try next(), try next(), try next(), try next(), try next())
            try reader.expectEnd()
        }
    }

    let directory: URL
    let endorsementPrivateKey: PrivateKey
    let storagePrivateKey: PrivateKey
    let endorsementKey: TPMPublicArea
    let storageRootKey: TPMPublicArea

    init() throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("provisio-tpm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        endorsementPrivateKey = try PrivateKey(directory: directory, name: "ek")
        storagePrivateKey = try PrivateKey(directory: directory, name: "srk")
        let rsa = TPMRSAParameters(symmetricAlgorithm: .aes, symmetricKeyBits: 128, symmetricMode: .cfb, scheme: .null, keyBits: 2048, exponent: 0)
        endorsementKey = TPMPublicArea(nameAlgorithm: .sha256, attributes: TPMKeyProfile.endorsementAttributes,
                                       authPolicy: TPMKeyProfile.endorsementPolicy, parameters: .rsa(rsa), unique: endorsementPrivateKey.modulus)
        storageRootKey = TPMPublicArea(nameAlgorithm: .sha256, attributes: [.fixedTPM, .fixedParent, .sensitiveDataOrigin, .userWithAuth, .noDA, .restricted, .decrypt],
                                       authPolicy: [], parameters: .rsa(rsa), unique: storagePrivateKey.modulus)
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
    }

    /// `tpm2_makecredential -T none` for this EK; returns the `TPM2B_ID_OBJECT` and `TPM2B_ENCRYPTED_SECRET` of its file.
    func makeCredentialWithTPM2Tools(_ credential: [UInt8], objectName: [UInt8]) throws -> (idObject: [UInt8], encryptedSecret: [UInt8]) {
        let ekFile = directory.appendingPathComponent("ek.pub"), secretFile = directory.appendingPathComponent("secret.bin")
        let output = directory.appendingPathComponent("cred.blob")
        try Data(endorsementKey.sizedBytes).write(to: ekFile)
        try Data(credential).write(to: secretFile)
        try Self.run("tpm2_makecredential", ["-T", "none", "-u", ekFile.path, "-s", secretFile.path, "-n", hex(objectName), "-o", output.path])
        // tpm2-tools' credential file: magic 0xBADCC0DE, version 1, then the two structures.
        let file = Array(try Data(contentsOf: output))
        guard file.prefix(8) == [0xBA, 0xDC, 0xC0, 0xDE, 0, 0, 0, 1] else { throw Failure("unexpected credential file header") }
        var reader = TPMReader(Array(file.dropFirst(8)), subject: "cred.blob")
        let idObject = TPMWriter.sized(try reader.readSized())
        let secret = TPMWriter.sized(try reader.readSized())
        try reader.expectEnd()
        return (idObject, secret)
    }

    /// TPM2_ActivateCredential: the seed from the EK, the integrity check over the Name, the credential.
    func activateCredential(idObject: [UInt8], encryptedSecret: [UInt8], objectName: [UInt8]) throws -> [UInt8] {
        let seed = try endorsementPrivateKey.decrypt(Array(encryptedSecret.dropFirst(2)), label: "IDENTITY")
        var reader = TPMReader(idObject, subject: "idObject")
        var inner = TPMReader(try reader.readSized(), subject: "idObject")
        let integrity = try inner.readSized()
        let encrypted = Array(try inner.read(count: idObject.count - 4 - integrity.count))
        let hmacKey = TPMKeyDerivation.kdfa(key: seed, label: "INTEGRITY", contextU: [], contextV: [], bits: 256)
        guard TPMIntegrity.hmac(key: hmacKey, encrypted + objectName) == integrity else { throw Failure("credential integrity check failed") }
        let key = TPMKeyDerivation.kdfa(key: seed, label: "STORAGE", contextU: objectName, contextV: [], bits: 128)
        var plain = TPMReader(try TPMSymmetricCipher.decrypt(encrypted, key: key), subject: "credential")
        return try plain.readSized()
    }

    /// Activation then TPM2_Import: returns the HMAC key the blob carries, checking every integrity value and the binding.
    func recoverKey(from blob: [UInt8]) throws -> [UInt8] {
        let parts = try Blob(blob)
        let innerKey = try activateCredential(idObject: parts.idObject, encryptedSecret: parts.encryptedSecret, objectName: storageRootKey.name)
        let publicArea = try TPMPublicArea(sizedBytes: parts.publicArea)
        let name = publicArea.name
        let seed = try storagePrivateKey.decrypt(Array(parts.encryptedSeed.dropFirst(2)), label: "DUPLICATE")
        var reader = TPMReader(Array(parts.duplicate.dropFirst(2)), subject: "duplicate")
        let outerIntegrity = try reader.readSized()
        let duplicateSensitive = Array(try reader.read(count: parts.duplicate.count - 4 - outerIntegrity.count))
        let hmacKey = TPMKeyDerivation.kdfa(key: seed, label: "INTEGRITY", contextU: [], contextV: [], bits: 256)
        guard TPMIntegrity.hmac(key: hmacKey, duplicateSensitive + name) == outerIntegrity else { throw Failure("outer integrity check failed") }
        let outerKey = TPMKeyDerivation.kdfa(key: seed, label: "STORAGE", contextU: name, contextV: [], bits: 128)
        let encryptedInner = try TPMSymmetricCipher.decrypt(duplicateSensitive, key: outerKey)
        var inner = TPMReader(try TPMSymmetricCipher.decrypt(encryptedInner, key: innerKey), subject: "inner")
        let innerIntegrity = try inner.readSized()
        let sizedSensitive = TPMWriter.sized(try inner.readSized())
        try inner.expectEnd()
        guard Array(SHA256.hash(data: sizedSensitive + name)) == innerIntegrity else { throw Failure("inner integrity check failed") }
        var sensitive = TPMReader(Array(sizedSensitive.dropFirst(2)), subject: "sensitive")
        guard try sensitive.readAlgorithm() == .keyedHash, try sensitive.readSized().isEmpty else { throw Failure("unexpected sensitive area") }
        let seedValue = try sensitive.readSized()
        let key = try sensitive.readSized()
        try sensitive.expectEnd()
        guard Array(SHA256.hash(data: seedValue + key)) == publicArea.unique else { throw Failure("TPM_RC_BINDING") }
        return key
    }

    /// Runs a tool from PATH and returns its stdout; throws with its stderr when it fails.
    @discardableResult
    static func run(_ tool: String, _ arguments: [String]) throws -> [UInt8] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [tool] + arguments
        let stdout = Pipe(), stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        try process.run()
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let errors = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw Failure("\(tool) \(arguments.joined(separator: " ")) failed: \(String(decoding: errors, as: UTF8.self))")
        }
        return Array(output)
    }
}
