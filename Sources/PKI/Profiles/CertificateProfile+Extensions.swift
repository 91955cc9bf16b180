import SwiftASN1
import X509

extension CertificateProfile {
    /// The X.509 extensions for a certificate issued under this profile.
    ///
    /// BasicConstraints and KeyUsage are critical; EKU only when listed; SKI from the subject key (RFC 5280
    /// method 1) and AKI from the issuer's SKI, so chain builders can match issuer and subject by key.
    func extensions(
        subjectKey: Certificate.PublicKey,
        authorityKeyIdentifier: ArraySlice<UInt8>,
        subjectAlternativeNames: [GeneralName] = []
    ) throws -> Certificate.Extensions {
        let basicConstraints: BasicConstraints =
            isCertificateAuthority ? .isCertificateAuthority(maxPathLength: pathLength) : .notCertificateAuthority
        var extensions: [Certificate.Extension] = [
            try Certificate.Extension(basicConstraints, critical: true),
            try Certificate.Extension(try parsedKeyUsage(), critical: true),
        ]
        let usages = try parsedExtendedKeyUsage()
        if !usages.isEmpty {
            extensions.append(try Certificate.Extension(try ExtendedKeyUsage(usages), critical: false))
        }
        if !subjectAlternativeNames.isEmpty {
            extensions.append(
                try Certificate.Extension(SubjectAlternativeNames(subjectAlternativeNames), critical: false)
            )
        }
        extensions.append(try Certificate.Extension(SubjectKeyIdentifier(hash: subjectKey), critical: false))
        extensions.append(
            try Certificate.Extension(AuthorityKeyIdentifier(keyIdentifier: authorityKeyIdentifier), critical: false)
        )
        return try Certificate.Extensions(extensions)
    }

    /// The KeyUsage extension value for `keyUsage`; unknown names are a configuration error.
    func parsedKeyUsage() throws -> KeyUsage {
        var usage = KeyUsage()
        for name in keyUsage {
            switch name {
            case "digitalSignature": usage.digitalSignature = true
            case "nonRepudiation", "contentCommitment": usage.nonRepudiation = true
            case "keyEncipherment": usage.keyEncipherment = true
            case "dataEncipherment": usage.dataEncipherment = true
            case "keyAgreement": usage.keyAgreement = true
            case "keyCertSign": usage.keyCertSign = true
            case "cRLSign": usage.cRLSign = true
            case "encipherOnly": usage.encipherOnly = true
            case "decipherOnly": usage.decipherOnly = true
            default: throw invalid("unknown keyUsage '\(name)'")
            }
        }
        return usage
    }

    /// The EKU purposes for `extendedKeyUsage`; names or dotted OIDs, anything else is a configuration error.
    func parsedExtendedKeyUsage() throws -> [ExtendedKeyUsage.Usage] {
        try extendedKeyUsage.map { name in
            switch name {
            case "serverAuth": return .serverAuth
            case "clientAuth": return .clientAuth
            case "codeSigning": return .codeSigning
            case "emailProtection": return .emailProtection
            case "timeStamping": return .timeStamping
            case "ocspSigning": return .ocspSigning
            default:
                guard name.first?.isNumber == true, name.contains("."),
                    let oid = try? ASN1ObjectIdentifier(dotRepresentation: name)
                else {
                    throw invalid("unknown extendedKeyUsage '\(name)'")
                }
                return ExtendedKeyUsage.Usage(oid: oid)
            }
        }
    }
}
