import Crypto
import Foundation

/// The registration id Azure's TPM device SDKs use when none is configured: lower-case Base32 (RFC 4648 alphabet,
/// `=` padding stripped) of SHA-256 over the endorsement key's marshalled `TPM2B_PUBLIC`.
public enum TPMRegistrationID {
    private static let alphabet = Array("abcdefghijklmnopqrstuvwxyz234567".utf8)

    /// The default registration id of the TPM whose EK `TPM2B_PUBLIC` is `endorsementKey`.
    public static func `default`(endorsementKey: [UInt8]) -> String {
        base32(Array(SHA256.hash(data: endorsementKey)))
    }

    /// Lower-case Base32 without padding.
    public static func base32(_ bytes: [UInt8]) -> String {
        var output: [UInt8] = []
        var buffer: UInt32 = 0
        var bits = 0
        for byte in bytes {
            buffer = buffer << 8 | UInt32(byte)
            bits += 8
            while bits >= 5 {
                bits -= 5
                output.append(alphabet[Int((buffer >> UInt32(bits)) & 0x1F)])
            }
        }
        if bits > 0 { output.append(alphabet[Int((buffer << UInt32(5 - bits)) & 0x1F)]) }
        return String(decoding: output, as: UTF8.self)
    }

    /// Decodes Base64 text, ignoring whitespace; nil when it is not Base64 or empty.
    static func decodeBase64(_ text: String) -> [UInt8]? {
        guard let data = Data(base64Encoded: text.filter { !$0.isWhitespace }), !data.isEmpty else { return nil }
        return Array(data)
    }
}
