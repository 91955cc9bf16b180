import Foundation
import SwiftASN1
import X509

/// Builds a signed OCSPResponse carrying a BasicOCSPResponse (RFC 6960 §4.2.1) from one CA or its delegated responder.
///
/// The responder is identified by key hash, the signer's certificates travel in `certs` so clients find the signer
/// without extra configuration, and a request nonce is echoed as a response extension.
struct BasicOCSPResponseBuilder {
    /// One answer: the CertID exactly as asked, and the status.
    struct Answer {
        var certID: OCSPCertID
        var status: OCSPCertificateStatus
    }

    /// id-pkix-ocsp-basic.
    static let basicResponseOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 1]

    let signer: OCSPResponseSigner
    let answers: [Answer]
    let nonceExtensionValue: [UInt8]?
    let producedAt: Date
    let nextUpdate: Date

    /// The complete, signed OCSPResponse DER.
    func build() async throws -> [UInt8] {
        let algorithm = try signer.signatureAlgorithm
        let tbs = try PKIError.wrapping(.signingFailed, "could not encode an OCSP response") { try responseData() }
        let signature = try await signer.sign(tbs, algorithm: algorithm)
        return try PKIError.wrapping(.signingFailed, "could not encode an OCSP response") {
            var basic = DER.Serializer()
            try basic.appendConstructedNode(identifier: .sequence) { coder in
                coder.serializeRawBytes(tbs)
                try SignatureAlgorithmIdentifier.serialize(algorithm, into: &coder)
                try coder.serialize(ASN1BitString(bytes: signature[...]))
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        for certificate in signer.includedCertificates { try coder.serialize(certificate) }
                    }
                }
            }
            var response = DER.Serializer()
            try response.appendConstructedNode(identifier: .sequence) { coder in
                coder.appendPrimitiveNode(identifier: .enumerated) { $0.append(UInt8(OCSPResponseStatus.successful.rawValue)) }
                try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(Self.basicResponseOID)
                        try coder.serialize(ASN1OctetString(contentBytes: basic.serializedBytes[...]))
                    }
                }
            }
            return response.serializedBytes
        }
    }

    /// ResponseData: version v1 (default, omitted), responderID byKey, producedAt, responses, extensions.
    private func responseData() throws -> [UInt8] {
        var coder = DER.Serializer()
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            try coder.serialize(explicitlyTaggedWithTagNumber: 2, tagClass: .contextSpecific) { coder in
                let keyHash = OCSPHashAlgorithm.sha1.hash(signer.certificate.publicKey.subjectPublicKeyInfoBytes)
                try coder.serialize(ASN1OctetString(contentBytes: keyHash[...]))
            }
            try coder.serialize(try ASN1Time.generalizedTime(producedAt))
            try coder.appendConstructedNode(identifier: .sequence) { coder in
                for answer in answers {
                    try serialize(answer, into: &coder)
                }
            }
            if let nonceExtensionValue {
                try coder.serialize(explicitlyTaggedWithTagNumber: 1, tagClass: .contextSpecific) { coder in
                    try coder.appendConstructedNode(identifier: .sequence) { coder in
                        try coder.serialize(Certificate.Extension(oid: OCSPRequest.nonceOID, critical: false, value: nonceExtensionValue[...]))
                    }
                }
            }
        }
        return coder.serializedBytes
    }

    /// SingleResponse: certID, certStatus (good [0] NULL, revoked [1] RevokedInfo, unknown [2] NULL), thisUpdate, nextUpdate.
    private func serialize(_ answer: Answer, into coder: inout DER.Serializer) throws {
        try coder.appendConstructedNode(identifier: .sequence) { coder in
            coder.serializeRawBytes(answer.certID.derBytes)
            switch answer.status {
            case .good:
                coder.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 0, tagClass: .contextSpecific)) { _ in }
            case .revoked(let revocation):
                try coder.appendConstructedNode(identifier: ASN1Identifier(tagWithNumber: 1, tagClass: .contextSpecific)) { coder in
                    try coder.serialize(try ASN1Time.generalizedTime(revocation.revocationDate))
                    if revocation.reason != .unspecified {
                        coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                            coder.appendPrimitiveNode(identifier: .enumerated) { $0.append(UInt8(revocation.reason.rawValue)) }
                        }
                    }
                }
            case .unknown:
                coder.appendPrimitiveNode(identifier: ASN1Identifier(tagWithNumber: 2, tagClass: .contextSpecific)) { _ in }
            }
            try coder.serialize(try ASN1Time.generalizedTime(producedAt))
            try coder.serialize(explicitlyTaggedWithTagNumber: 0, tagClass: .contextSpecific) { coder in
                try coder.serialize(try ASN1Time.generalizedTime(nextUpdate))
            }
        }
    }
}
