import BigInt
import Crypto
import Foundation

/// An RSA public key that encrypts with RSAES-OAEP (RFC 8017 §7.1.1, SHA-256 and MGF1-SHA-256) **with a label**, which
/// TPM secret sharing needs (`"IDENTITY\0"`, `"DUPLICATE\0"`) and swift-crypto's OAEP cannot take: the encoding is done
/// here and the public operation `m^e mod n` with BigInt.
public struct RSAOAEPPublicKey: Sendable, Equatable {
    private static let hashLength = 32

    /// The modulus.
    public let modulus: BigUInt
    /// The public exponent.
    public let exponent: BigUInt
    /// `k`: the modulus length in bytes.
    public let modulusLength: Int

    /// Creates a key from its big-endian modulus and exponent; throws for moduli under 1024 or over 4096 bits (TPMs
    /// have no larger keys, and the public operation's cost grows with the square of the size) or an even exponent.
    public init(modulus: [UInt8], exponent: UInt32) throws(TPMFormatError) {
        guard modulus.count <= 4096 / 8 + 1 else { throw TPMFormatError("an RSA modulus must have at most 4096 bits") }
        let n = BigUInt(Data(modulus))
        guard n.bitWidth >= 1024 else { throw TPMFormatError("an RSA modulus must have at least 1024 bits") }
        guard n.bitWidth <= 4096 else { throw TPMFormatError("an RSA modulus must have at most 4096 bits") }
        guard exponent >= 3, exponent % 2 == 1 else { throw TPMFormatError("an RSA public exponent must be odd and at least 3") }
        self.modulus = n
        self.exponent = BigUInt(exponent)
        self.modulusLength = (n.bitWidth + 7) / 8
    }

    /// The key of an RSA public area.
    public init(_ publicArea: TPMPublicArea) throws(TPMFormatError) {
        guard let rsa = publicArea.rsaParameters else { throw TPMFormatError("the public area is not an RSA key") }
        try self.init(modulus: publicArea.unique, exponent: rsa.effectiveExponent)
        guard modulus.bitWidth == Int(rsa.keyBits) else {
            throw TPMFormatError("the RSA modulus has \(modulus.bitWidth) bits, the public area says \(rsa.keyBits)")
        }
    }

    /// RSAES-OAEP-ENCRYPT of `message` with `label`; `seed` is the 32 random bytes of the encoding.
    public func encrypt(_ message: [UInt8], label: [UInt8], seed: [UInt8]) throws(TPMFormatError) -> [UInt8] {
        let h = Self.hashLength
        precondition(seed.count == h, "the OAEP seed is one digest long")
        guard message.count <= modulusLength - 2 * h - 2 else { throw TPMFormatError("the message is too long for RSA-OAEP") }
        // DB = lHash ‖ PS ‖ 0x01 ‖ M, masked with MGF1(seed); the seed masked with MGF1(maskedDB).
        var db = Array(SHA256.hash(data: label))
        db += [UInt8](repeating: 0, count: modulusLength - message.count - 2 * h - 2)
        db.append(0x01)
        db += message
        let maskedDB = Self.xor(db, Self.mgf1(seed: seed, length: db.count))
        let maskedSeed = Self.xor(seed, Self.mgf1(seed: maskedDB, length: h))
        return try publicOperation([0x00] + maskedSeed + maskedDB)
    }

    /// `m^e mod n` over a `k`-byte big-endian block, returned as `k` bytes (RSAEP with I2OSP).
    public func publicOperation(_ block: [UInt8]) throws(TPMFormatError) -> [UInt8] {
        let m = BigUInt(Data(block))
        guard block.count == modulusLength, m < modulus else { throw TPMFormatError("the RSA input must be k bytes and below the modulus") }
        // Left-to-right square-and-multiply over the exponent's bits: 16 squarings and one multiplication for 65537.
        var result = m
        for bit in stride(from: exponent.bitWidth - 2, through: 0, by: -1) {
            result = (result * result) % modulus
            if exponent[bitAt: bit] { result = (result * m) % modulus }
        }
        let bytes = Array(result.serialize())
        return [UInt8](repeating: 0, count: modulusLength - bytes.count) + bytes
    }

    /// MGF1 with SHA-256 (RFC 8017 §B.2.1).
    static func mgf1(seed: [UInt8], length: Int) -> [UInt8] {
        var output: [UInt8] = []
        var counter: UInt32 = 0
        while output.count < length {
            var writer = TPMWriter()
            writer.append(raw: seed)
            writer.append(counter)
            output += SHA256.hash(data: writer.bytes)
            counter += 1
        }
        return Array(output.prefix(length))
    }

    static func xor(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        zip(lhs, rhs).map { $0 ^ $1 }
    }
}
