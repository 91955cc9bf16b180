import Foundation
@testable import Provisioning
import Testing

/// Bounds of the parsers Provisioning owns: JSON values nest at most `JSONValue.maximumDepth` levels; TPM structures
/// from the network are length-checked so that nothing slices out of range, overflows a size field or runs RSA on
/// an absurd modulus.
@Suite struct ParserBoundsTests {
    static func nestedArrays(_ depth: Int) -> Data {
        Data((String(repeating: "[", count: depth) + String(repeating: "]", count: depth)).utf8)
    }

    @Test func jsonValuesNestAtMostMaximumDepth() throws {
        _ = try JSONDecoder().decode(JSONValue.self, from: Self.nestedArrays(JSONValue.maximumDepth))
        let error = #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(JSONValue.self, from: Self.nestedArrays(JSONValue.maximumDepth + 1))
        }
        #expect("\(String(describing: error))".contains("nested deeper than 64 levels"))
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONValue.self, from: Self.nestedArrays(100_000)) }
        let objects = Data((String(repeating: #"{"a":"#, count: 200) + "1" + String(repeating: "}", count: 200)).utf8)
        #expect(throws: DecodingError.self) { try JSONDecoder().decode(JSONValue.self, from: objects) }
    }

    struct Wrapper: Decodable {
        var reported: [String: JSONValue]
    }

    @Test func depthCountsFromTheValueNotTheDocument() throws {
        // A value written at the limit reads back inside a wrapper (as a twin stores a device's reported patch).
        let value = String(repeating: "[", count: JSONValue.maximumDepth) + String(repeating: "]", count: JSONValue.maximumDepth)
        let wrapped = Data(#"{"reported": {"a": \#(value)}}"#.utf8)
        let decoded = try JSONDecoder().decode(Wrapper.self, from: wrapped)
        #expect(decoded.reported["a"] == (try JSONDecoder().decode(JSONValue.self, from: Data(value.utf8))))
        let yaml = try JSONDecoder().decode(JSONValue.self, from: Data(#"{"a": [1, {"b": null, "c": "d"}], "e": true}"#.utf8))
        #expect(yaml == .object(["a": .array([.number(1), .object(["b": .null, "c": .string("d")])]), "e": .bool(true)]))
    }

    @Test func truncatedAndOversizedPublicAreasAreFormatErrors() {
        let endorsementKey = TPMVectors.endorsementKeyBytes
        for length in [0, 1, 2, 10, endorsementKey.count - 1] {
            #expect(throws: TPMFormatError.self) { try TPMPublicArea(sizedBytes: Array(endorsementKey.prefix(length))) }
        }
        // A size prefix claiming more than is there, and a TPMT_PUBLIC too long for any TPM2B.
        #expect(throws: TPMFormatError.self) { try TPMPublicArea(sizedBytes: [0xFF, 0xFF] + Array(endorsementKey.dropFirst(2))) }
        #expect(throws: TPMFormatError.self) { try TPMPublicArea(bytes: [UInt8](repeating: 0, count: 70_000)) }
    }

    @Test func rsaModuliOver4096BitsAreRefused() {
        let huge = [0x80] + [UInt8](repeating: 0xFF, count: 1023)
        #expect(throws: TPMFormatError("an RSA modulus must have at most 4096 bits")) {
            try RSAOAEPPublicKey(modulus: huge, exponent: 65537)
        }
        let largest = [0x80] + [UInt8](repeating: 0x01, count: 511)
        #expect(throws: Never.self) { try RSAOAEPPublicKey(modulus: largest, exponent: 65537) }
    }
}
