import Foundation
import SwiftASN1
import X509

/// A parsed subject template such as `CN={commonName}, O={organization}`, written most-specific first (RFC 4514).
///
/// Values are encoded as UTF8String (PrintableString for `C`, IA5String for `DC`, as X.520 requires), the same
/// way every time, so that an issuer DN copied from a CA certificate compares equal to that CA's subject.
struct SubjectTemplate: Sendable, Equatable {
    /// The values that may be substituted into a template.
    struct Variables: Sendable {
        /// The subject's common name (device id, host name or CA name).
        var commonName: String
        /// The organisation from the CA hierarchy configuration.
        var organization: String
    }

    /// One `KEY=value` component, in the order written.
    struct Component: Sendable, Equatable {
        var attribute: String
        var value: String
    }

    static let placeholders: Set<String> = ["commonName", "organization"]
    static let attributeTypes: [String: ASN1ObjectIdentifier] = [
        "CN": .RDNAttributeType.commonName,
        "O": .RDNAttributeType.organizationName,
        "OU": .RDNAttributeType.organizationalUnitName,
        "C": .RDNAttributeType.countryName,
        "L": .RDNAttributeType.localityName,
        "ST": .RDNAttributeType.stateOrProvinceName,
        "STREET": .RDNAttributeType.streetAddress,
        "DC": .RDNAttributeType.domainComponent,
    ]

    let components: [Component]

    /// Parses `template`; unknown attributes, unknown `{placeholders}` and empty components are errors.
    init(parsing template: String) throws {
        var components: [Component] = []
        for part in Self.splitOnUnescapedCommas(template) {
            let trimmed = part.trimmingCharacters(in: .whitespaces)
            guard let equals = trimmed.firstIndex(of: "=") else {
                throw Self.invalid(template, "component '\(trimmed)' is not KEY=value")
            }
            let key = String(trimmed[..<equals]).trimmingCharacters(in: .whitespaces).uppercased()
            let value = String(trimmed[trimmed.index(after: equals)...]).trimmingCharacters(in: .whitespaces)
            guard Self.attributeTypes[key] != nil else {
                throw Self.invalid(template, "unsupported attribute '\(key)'")
            }
            guard !value.isEmpty else {
                throw Self.invalid(template, "attribute '\(key)' has an empty value")
            }
            try Self.checkPlaceholders(in: value, template: template)
            components.append(Component(attribute: key, value: value))
        }
        guard components.contains(where: { $0.attribute == "CN" }) else {
            throw Self.invalid(template, "a CN component is required")
        }
        self.components = components
    }

    /// The distinguished name with `variables` substituted.
    func render(_ variables: Variables) throws -> DistinguishedName {
        var rdns: [RelativeDistinguishedName] = []
        for component in components {
            let value = Self.substitute(component.value, variables)
            guard !value.isEmpty, let type = Self.attributeTypes[component.attribute] else {
                throw PKIError(code: .invalidSubject, message: "subject attribute \(component.attribute) is empty")
            }
            rdns.append(RelativeDistinguishedName(try Self.attribute(type: type, key: component.attribute, value: value)))
        }
        // RFC 4514 writes the last RDN first; DER stores the most general first.
        return DistinguishedName(rdns.reversed())
    }

    private static func attribute(
        type: ASN1ObjectIdentifier,
        key: String,
        value: String
    ) throws -> RelativeDistinguishedName.Attribute {
        do {
            switch key {
            case "C":
                guard value.count == 2, value.allSatisfy({ $0.isASCII && $0.isUppercase }) else {
                    throw PKIError(code: .invalidSubject, message: "country must be two upper-case letters")
                }
                return try .init(type: type, printableString: value)
            case "DC":
                return try .init(type: type, ia5String: value)
            default:
                return .init(type: type, utf8String: value)
            }
        } catch let error as PKIError {
            throw error
        } catch {
            throw PKIError(code: .invalidSubject, message: "subject attribute \(key) has characters its type cannot hold")
        }
    }

    /// Replaces placeholders in one pass, so substituted text is never itself scanned for placeholders.
    private static func substitute(_ value: String, _ variables: Variables) -> String {
        var result = ""
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
            result += rest[..<open]
            switch rest[rest.index(after: open)..<close] {
            case "commonName": result += variables.commonName
            case "organization": result += variables.organization
            default: result += rest[open...close]
            }
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }

    private static func checkPlaceholders(in value: String, template: String) throws {
        var rest = Substring(value)
        while let open = rest.firstIndex(of: "{") {
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw invalid(template, "unterminated '{'")
            }
            let name = String(rest[rest.index(after: open)..<close])
            guard placeholders.contains(name) else {
                throw invalid(template, "unknown placeholder '{\(name)}'")
            }
            rest = rest[rest.index(after: close)...]
        }
        guard !rest.contains("}") else { throw invalid(template, "unmatched '}'") }
    }

    private static func splitOnUnescapedCommas(_ template: String) -> [String] {
        var parts: [String] = []
        var current = ""
        var escaping = false
        for character in template {
            if escaping {
                current.append(character)
                escaping = false
            } else if character == "\\" {
                escaping = true
            } else if character == "," {
                parts.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        parts.append(current)
        return parts
    }

    private static func invalid(_ template: String, _ reason: String) -> PKIError {
        PKIError(code: .invalidConfiguration, message: "invalid subject template '\(template)': \(reason)")
    }
}
