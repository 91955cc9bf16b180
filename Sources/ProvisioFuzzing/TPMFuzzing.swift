import Provisioning

/// TPM 2.0 public areas as DPS receives them (`TPM2B_PUBLIC` for the endorsement and storage root keys): parsing,
/// the EK/SRK profile checks, the Name and the RSA key, and marshalling back to an equal structure.
enum TPMFuzzing {
    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        if let area = try? TPMPublicArea(sizedBytes: input) {
            try check(area)
        }
        if let area = try? TPMPublicArea(bytes: input) {
            try check(area)
        }
    }

    static func check(_ area: TPMPublicArea) throws(FuzzFinding) {
        _ = area.name
        let passesProfile = TPMKeyProfile.endorsementKeyProblem(area) == nil || TPMKeyProfile.storageRootKeyProblem(area) == nil
        // The service encrypts only to keys that passed a profile check; BigInt arithmetic on anything else would
        // only slow the fuzzer down (debug builds take milliseconds per modular exponentiation).
        if let key = try? RSAOAEPPublicKey(area), passesProfile {
            _ = try? key.encrypt([0x01, 0x02, 0x03], label: Array("IDENTITY\0".utf8), seed: [UInt8](repeating: 0x5A, count: 32))
        }
        guard let again = try? TPMPublicArea(sizedBytes: area.sizedBytes), again == area else {
            throw FuzzFinding("a parsed public area does not survive marshalling: \(area)")
        }
    }
}
