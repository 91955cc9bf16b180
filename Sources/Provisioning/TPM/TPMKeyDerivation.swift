import Crypto

/// `KDFa` (TPM 2.0 Part 1, §11.4.10.2): SP 800-108 counter mode with HMAC-SHA-256 as the PRF.
enum TPMKeyDerivation {
    /// `KDFa(key, label, contextU, contextV, bits)`: `HMAC(key, [i]₃₂ ‖ label ‖ 0x00 ‖ contextU ‖ contextV ‖ [bits]₃₂)` for
    /// i = 1, 2, … concatenated and cut to `bits` (a multiple of 8 here).
    static func kdfa(key: [UInt8], label: String, contextU: [UInt8], contextV: [UInt8], bits: Int) -> [UInt8] {
        precondition(bits > 0 && bits % 8 == 0, "KDFa output is a whole number of bytes here")
        let symmetricKey = SymmetricKey(data: key)
        var output: [UInt8] = []
        var counter: UInt32 = 1
        while output.count * 8 < bits {
            var block = TPMWriter()
            block.append(counter)
            block.append(raw: label.utf8)
            block.append(raw: [0])
            block.append(raw: contextU)
            block.append(raw: contextV)
            block.append(UInt32(bits))
            output += HMAC<SHA256>.authenticationCode(for: block.bytes, using: symmetricKey)
            counter += 1
        }
        return Array(output.prefix(bits / 8))
    }
}
