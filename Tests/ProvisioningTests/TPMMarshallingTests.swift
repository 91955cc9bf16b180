import Foundation
@testable import Provisioning
import Testing

/// Fixed vectors: an EK and SRK created by swtpm 0.7.1 with `tpm2_createek -G rsa` and `tpm2_createprimary -C o`
/// (tpm2-tools 5.4), their Names as `tpm2_readpublic -n` printed them, and KDFa/Base32 values computed independently
/// (Python `hmac`, `base64.b32encode`).
enum TPMVectors {
    static let endorsementKey = """
        AToAAQALAAMAsgAgg3GXZ0SEs/gakMyNRqXXJP1S124GUgtk8qHaGzMUaaoABgCAAEMAEAgAAAAAAAEAmnUDtbpW0HTNiQRUPvDPe5TdF4ee5MP45+a2\
        qjDyamOwh5+2lyGHExTf9RYPnZIqOElTIFGH1DdBfaqhvaEZiifa39Sc8H8GkYyukUW81uLcChDuqRxJEazf+qlpc0jQI/Fhg1whk0UTiAYua0nzBBst\
        Yv60XwxmglChzxt1zn9jgxi7Fzs0F8tIizF6PpMj5NbSOVvIsIJPKtVWtLsNluS8TbLF+KVISzaC0u+VlBzH9sS6NknsODxti6kggKZ9LLlOo110lrLf\
        WFm/M8Q5nJo6G58tI42KhfEcud7dhRcPwPvWg9RcO2Hqo+UDNDGCYOh/4b683blBqISnIno3IQ==
        """
    static let endorsementKeyName = "000b58b3a01a05a40229aa68a34d43d1f704ff934208c353724bc12253d68c2b59e3"
    static let storageRootKey = """
        ARoAAQALAAMAcgAAAAYAgABDABAIAAAAAAABALIf6/F7KjoesBG9eOu+TlklDixXIMZfwG7ywRT/OXbP7FvNCeDig6nF/t5ctxTJSPixCE7t6FhxoDps\
        4ziTrKxD4q9AjWUlYxGJNcUi/r55n6LMUsHDPFo2n5fLHeCa9n6ihedqArySqNEDGGiZgSsz4trAElLNt4uLJ+ParmvMS72eEagYIGRfvhaseIm0Xf9i\
        LbQSv4q35sQa8VIGkDIiOSuu7R5Pz228VbeUPWpgh798cl1oCxFltR//+5EfT9YzW/d/LMW88B0hfLMo6YXQyVU8jfGqYZZmIIeODUSYXCbDu4hy8lmV\
        NW9gaCPodSW6nP103MC7qOOK76IdAy0=
        """
    static let storageRootKeyName = "000b99e6ed02c43f3022ca5490197c50cb486eb8aad019f324b71b680e675f1134cb"
    /// `base32(SHA-256(ek.pub))`, lower case, padding stripped.
    static let registrationId = "n2mhqgpqytwrqvuszpuayzvc6biup2fnwwd42wcptgnxiu6us2ba"

    static var endorsementKeyBytes: [UInt8] { Array(Data(base64Encoded: endorsementKey)!) }
    static var storageRootKeyBytes: [UInt8] { Array(Data(base64Encoded: storageRootKey)!) }
}

func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

func bytes(hex text: String) -> [UInt8] {
    var result: [UInt8] = []
    var index = text.startIndex
    while index < text.endIndex {
        let next = text.index(index, offsetBy: 2)
        result.append(UInt8(text[index..<next], radix: 16)!)
        index = next
    }
    return result
}

@Suite("TPM structure marshalling")
struct TPMMarshallingTests {
    @Test("a swtpm EK parses as the TCG RSA-2048 template and marshals back byte for byte")
    func endorsementKeyRoundTrip() throws {
        let area = try TPMPublicArea(sizedBytes: TPMVectors.endorsementKeyBytes)
        #expect(area.type == .rsa)
        #expect(area.nameAlgorithm == .sha256)
        #expect(area.attributes.rawValue == 0x0003_00B2)
        #expect(area.authPolicy == TPMKeyProfile.endorsementPolicy)
        let rsa = try #require(area.rsaParameters)
        #expect(rsa.symmetricAlgorithm == .aes && rsa.symmetricKeyBits == 128 && rsa.symmetricMode == .cfb)
        #expect(rsa.scheme == .null)
        #expect(rsa.keyBits == 2048 && rsa.exponent == 0 && rsa.effectiveExponent == 65537)
        #expect(area.unique.count == 256)
        #expect(area.sizedBytes == TPMVectors.endorsementKeyBytes)
        #expect(hex(area.name) == TPMVectors.endorsementKeyName)
        #expect(TPMKeyProfile.endorsementKeyProblem(area) == nil)
    }

    @Test("a swtpm SRK parses, has tpm2_readpublic's Name, and is a storage key but not an EK")
    func storageRootKey() throws {
        let area = try TPMPublicArea(sizedBytes: TPMVectors.storageRootKeyBytes)
        #expect(area.attributes == [.fixedTPM, .fixedParent, .sensitiveDataOrigin, .userWithAuth, .restricted, .decrypt])
        #expect(area.authPolicy.isEmpty)
        #expect(area.sizedBytes == TPMVectors.storageRootKeyBytes)
        #expect(hex(area.name) == TPMVectors.storageRootKeyName)
        #expect(TPMKeyProfile.storageRootKeyProblem(area) == nil)
        #expect(TPMKeyProfile.endorsementKeyProblem(area)?.contains("attributes") == true)
    }

    @Test("the HMAC identity key's public area: KEYEDHASH, userWithAuth|sign, HMAC-SHA-256, unique = H(seed ‖ key)")
    func hmacKeyPublicArea() throws {
        let area = TPMDuplicate.hmacKeyPublicArea(key: [UInt8](repeating: 1, count: 32), seedValue: [UInt8](repeating: 2, count: 32))
        #expect(hex(area.bytes) == "0008000b0004004000000005000b0020c57d4f59c961b13e406cd991b0f342ec79e571dc2c1415ff72c6550645a3b198")
        #expect(hex(area.name) == "000bd6d00659b3d34dd435684cd01a6068fc9ed4f63227f8b40fed76163495b400a6")
        #expect(try TPMPublicArea(bytes: area.bytes) == area)
    }

    @Test("KDFa: SP 800-108 counter mode with HMAC-SHA-256, label with its zero byte, output cut to the bit count")
    func kdfa() {
        let key = (0..<32).map(UInt8.init)
        #expect(hex(TPMKeyDerivation.kdfa(key: key, label: "STORAGE", contextU: bytes(hex: TPMVectors.storageRootKeyName),
                                          contextV: [], bits: 128)) == "54bd1eda74af1a28981c90a5aed1c362")
        #expect(hex(TPMKeyDerivation.kdfa(key: key, label: "INTEGRITY", contextU: [], contextV: [], bits: 256))
            == "bacf689f634ece301e1f1b15b072d9c87db6a69585db42b1a0cb8f73ebe2692e")
        #expect(hex(TPMKeyDerivation.kdfa(key: key, label: "XYZ", contextU: [1, 2], contextV: [3], bits: 520))
            == "c08272ca9b2c9f00905c6533d3bef757ac3988d1534b393945129a427eb8194785ee9d7872ab0c580402ff8969515ba5225e7ac74ac69ee59c6b552ead293f9de6")
    }

    @Test("the default registration id is lower-case Base32 of SHA-256 over the EK TPM2B_PUBLIC, unpadded")
    func registrationId() {
        #expect(TPMRegistrationID.default(endorsementKey: TPMVectors.endorsementKeyBytes) == TPMVectors.registrationId)
        #expect(TPMRegistrationID.base32(Array("foobar".utf8)) == "mzxw6ytboi")
        #expect(TPMRegistrationID.base32(Array("fooba".utf8)) == "mzxw6ytb")
        #expect(TPMRegistrationID.base32(Array("f".utf8)) == "my")
        #expect(TPMRegistrationID.base32([]) == "")
    }

    @Test("truncated, over-long and non-RSA structures are refused with a message naming the field")
    func malformed() {
        let ek = TPMVectors.endorsementKeyBytes
        #expect(throws: TPMFormatError("tpm.endorsementKey is truncated")) {
            try TPMPublicArea(sizedBytes: Array(ek.dropLast()), subject: "tpm.endorsementKey")
        }
        #expect(throws: TPMFormatError("tpm.endorsementKey has 1 bytes after its end")) {
            try TPMPublicArea(sizedBytes: ek + [0], subject: "tpm.endorsementKey")
        }
        var ecc = ek
        ecc[3] = 0x23
        #expect(throws: TPMFormatError("ek is of type 0x0023; only RSA (0x0001) keys are supported")) {
            try TPMPublicArea(sizedBytes: ecc, subject: "ek")
        }
        #expect(throws: TPMFormatError("endorsementKey must be Base64 text")) {
            try TPMKeyProfile.endorsementKey(base64: "not base64!")
        }
    }

    @Test("EKs that differ from the TCG template in size, policy or symmetric algorithm are named precisely")
    func endorsementKeyProfile() throws {
        var area = try TPMPublicArea(sizedBytes: TPMVectors.endorsementKeyBytes)
        var wrongPolicy = area
        wrongPolicy.authPolicy = [UInt8](repeating: 0, count: 32)
        #expect(TPMKeyProfile.endorsementKeyProblem(wrongPolicy)?.contains("authPolicy") == true)
        var withUserAuth = area
        withUserAuth.attributes.insert(.userWithAuth)
        #expect(TPMKeyProfile.endorsementKeyProblem(withUserAuth)?.contains("attributes") == true)
        var small = area
        small.unique = Array(area.unique.prefix(128))
        if case .rsa(var rsa) = small.parameters {
            rsa.keyBits = 1024
            small.parameters = .rsa(rsa)
        }
        #expect(TPMKeyProfile.endorsementKeyProblem(small)?.contains("RSA-2048") == true)
        if case .rsa(var rsa) = area.parameters {
            rsa.symmetricAlgorithm = .null
            rsa.symmetricKeyBits = 0
            rsa.symmetricMode = .null
            area.parameters = .rsa(rsa)
        }
        #expect(TPMKeyProfile.endorsementKeyProblem(area)?.contains("AES-128-CFB") == true)
        #expect(try TPMPublicArea(bytes: area.bytes) == area, "a NULL symmetric definition marshals without key bits and mode")
    }
}
