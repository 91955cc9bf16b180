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
        _ = TPMKeyProfile.endorsementKeyProblem(area)
        _ = TPMKeyProfile.storageRootKeyProblem(area)
        // Only the key's construction: its modular arithmetic (BigInt) takes milliseconds per input in a debug
        // build and would starve the parser of runs; the credential tests cover the encryption itself.
        _ = try? RSAOAEPPublicKey(area)
        guard let again = try? TPMPublicArea(sizedBytes: area.sizedBytes), again == area else {
            throw FuzzFinding("a parsed public area does not survive marshalling: \(area)")
        }
    }
}
