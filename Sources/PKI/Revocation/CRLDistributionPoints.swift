import SwiftASN1
import X509

/// The CRL Distribution Points extension (RFC 5280 §4.2.1.13), which swift-certificates has no type for.
enum CRLDistributionPoints {
    /// id-ce-cRLDistributionPoints.
    static let oid: ASN1ObjectIdentifier = [2, 5, 29, 31]

    /// One distribution point whose full name is `uri`:
    /// `SEQUENCE { SEQUENCE { [0] { [0] { [6] uri } } } }`.
    static func `extension`(uri: String) throws -> Certificate.Extension {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                // distributionPoint [0]: a tagged CHOICE, so explicit; fullName [0] IMPLICIT GeneralNames.
                try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                    try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { coder in
                        try coder.serialize(GeneralName.uniformResourceIdentifier(uri))
                    }
                }
            }
        }
        return Certificate.Extension(oid: oid, critical: false, value: coder.serializedBytes[...])
    }
}
