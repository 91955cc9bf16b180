import SwiftASN1
import X509

/// A distinguished name reduced to the form RFC 5280 §7.1 compares: attribute values of the directory string types
/// are compared caselessly with insignificant whitespace removed, whatever string type encodes them.
///
/// swift-certificates matches issuer and subject names by exact value *and* ASN.1 string type, so a CA that re-encodes
/// its name (PrintableString → UTF8String) or a name that differs only in case or spacing would never chain. The
/// normalised form is only used to *find* candidate issuers and CRLs; signatures still decide.
public struct NormalizedName: Hashable, Sendable, CustomStringConvertible {
    /// One entry per RDN, in order; each entry lists the RDN's attributes sorted, as `oid=value`.
    let relativeNames: [[String]]

    /// Normalises `name`.
    public init(_ name: DistinguishedName) {
        relativeNames = name.map { rdn in
            rdn.map { attribute in "\(attribute.type)=\(Self.normalizedValue(attribute.value))" }.sorted()
        }
    }

    /// Whether the name has no RDNs at all.
    public var isEmpty: Bool { relativeNames.isEmpty }

    /// The normalised attributes, RDN by RDN.
    public var description: String { relativeNames.map { $0.joined(separator: "+") }.joined(separator: ",") }

    /// The RFC 4518 "insignificant space" and case-folding treatment for string values; other values compare by DER.
    static func normalizedValue(_ value: RelativeDistinguishedName.Attribute.Value) -> String {
        if let string = String(value) { return fold(string) }
        guard let (tag, content) = primitiveContent(of: value) else { return "#" + (derBytes(of: value)?.hexString ?? "") }
        switch tag {
        case 20: return fold(String(decoding: content.map { UInt16($0) }, as: UTF16.self))  // TeletexString as Latin-1
        case 30: return fold(decodeBigEndian(content, width: 2))  // BMPString
        case 28: return fold(decodeBigEndian(content, width: 4))  // UniversalString
        case 26: return fold(String(decoding: content, as: UTF8.self))  // VisibleString
        default: return "#" + (derBytes(of: value)?.hexString ?? "")
        }
    }

    /// Lower-cases and collapses runs of white space to one space, without leading or trailing space.
    static func fold(_ string: String) -> String {
        string.lowercased().split(whereSeparator: { $0.isWhitespace }).joined(separator: " ")
    }

    private static func derBytes(of value: RelativeDistinguishedName.Attribute.Value) -> [UInt8]? {
        var serializer = DER.Serializer()
        guard (try? serializer.serialize(ASN1Any(value))) != nil else { return nil }
        return serializer.serializedBytes
    }

    private static func primitiveContent(of value: RelativeDistinguishedName.Attribute.Value) -> (UInt, ArraySlice<UInt8>)? {
        guard let bytes = derBytes(of: value), let node = try? DER.parse(bytes),
              node.identifier.tagClass == .universal, case .primitive(let content) = node.content else { return nil }
        return (node.identifier.tagNumber, content)
    }

    private static func decodeBigEndian(_ bytes: ArraySlice<UInt8>, width: Int) -> String {
        var scalars = String.UnicodeScalarView()
        var index = bytes.startIndex
        while index + width <= bytes.endIndex {
            let code = bytes[index..<(index + width)].reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
            scalars.append(Unicode.Scalar(code) ?? "\u{FFFD}")
            index += width
        }
        return String(scalars)
    }
}
