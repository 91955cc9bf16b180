import ArgumentParser
import Foundation
import Provisioning

extension TPMCommand {
    /// `provisio tpm bench`: TPM challenges built per second against the RSA public operations inside them.
    struct Bench: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Measure TPM challenges built per second (two RSA-2048 OAEP encryptions each) against the raw RSA public-operation rate.",
            discussion: "Run a release build: swift build -c release --product provisio && .build/release/provisio tpm bench")
        @Option(help: "Seconds to spend on each measurement.") var seconds: Double = 3
        @Option(name: .customLong("ek"), help: "EK TPM2B_PUBLIC file (default: a synthetic RSA-2048 key in the EK template).")
        var endorsementKey: String?
        @Option(name: .customLong("srk"), help: "SRK TPM2B_PUBLIC file (default: a synthetic RSA-2048 storage key).")
        var storageRootKey: String?

        func run() async throws {
            try await CLIError.reporting {
                let ek = try endorsementKey.map(TPMCommand.endorsementKey(file:)) ?? Self.syntheticKey(seed: 1, endorsement: true)
                let srk = try storageRootKey.map(TPMCommand.endorsementKey(file:)) ?? Self.syntheticKey(seed: 2, endorsement: false)
                let rsa = try RSAOAEPPublicKey(ek)
                var random = SystemRandomNumberGenerator()
                let randomBytes: (Int) -> [UInt8] = { count in (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &random) } }
                let block = [0] + randomBytes(rsa.modulusLength - 1)
                let seed = randomBytes(32), label = Array("IDENTITY".utf8) + [0], key = randomBytes(32)

                print("TPM challenge benchmark: RSA-2048, e = 65537, \(seconds) s per measurement, single thread")
                print("operation                 |      ops/s |   µs/op")
                print("--------------------------|------------|---------")
                let raw = try Self.measure("RSA public op (m^e mod n)", seconds: seconds) { _ = try rsa.publicOperation(block) }
                _ = try Self.measure("RSA-OAEP with label", seconds: seconds) { _ = try rsa.encrypt(seed, label: label, seed: seed) }
                let challenge = try Self.measure("challenge blob", seconds: seconds) {
                    _ = try TPMAuthenticationKey(wrapping: key, endorsementKey: ek, storageRootKey: srk, randomBytes: randomBytes)
                }
                print(String(format: "\nchallenges/s ÷ raw RSA ops/s = %.3f (two RSA operations per challenge: 0.5 if nothing else cost)", challenge / raw))
            }
        }

        /// Runs `body` repeatedly for about `seconds`, prints a row and returns operations per second.
        static func measure(_ name: String, seconds: Double, _ body: () throws -> Void) throws -> Double {
            for _ in 0..<20 { try body() }  // Warm-up.
            let clock = ContinuousClock()
            let start = clock.now
            var count = 0
            var elapsed = Duration.zero
            while elapsed < .milliseconds(Int64(seconds * 1000)) {
                for _ in 0..<10 { try body() }
                count += 10
                elapsed = clock.now - start
            }
            let total = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let rate = Double(count) / total
            print(name.padding(toLength: 25, withPad: " ", startingAt: 0) + String(format: " | %10.1f | %7.1f", rate, 1e6 / rate))
            return rate
        }

        /// An RSA-2048 public area with a pseudo-random odd modulus: the public operation costs the same as with a
        /// real key, and nothing here is ever decrypted.
        static func syntheticKey(seed: UInt64, endorsement: Bool) -> TPMPublicArea {
            var state = seed
            var modulus = (0..<256).map { _ -> UInt8 in
                state = state &* 6364136223846793005 &+ 1442695040888963407
                return UInt8(truncatingIfNeeded: state >> 33)
            }
            modulus[0] |= 0x80
            modulus[255] |= 0x01
            let rsa = TPMRSAParameters(symmetricAlgorithm: .aes, symmetricKeyBits: 128, symmetricMode: .cfb, scheme: .null, keyBits: 2048, exponent: 0)
            return TPMPublicArea(nameAlgorithm: .sha256,
                                 attributes: endorsement ? TPMKeyProfile.endorsementAttributes : [.fixedTPM, .fixedParent, .sensitiveDataOrigin, .userWithAuth, .restricted, .decrypt],
                                 authPolicy: endorsement ? TPMKeyProfile.endorsementPolicy : [], parameters: .rsa(rsa), unique: modulus)
        }
    }
}
