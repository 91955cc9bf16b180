import Crypto
import _CryptoExtras
import SwiftASN1
import X509

/// Which certificate signing requests the CA accepts: a valid self-signature, an allowed key
/// (P-256, P-384, RSA of at least 2048 bits), a SHA-2 signature and a subject common name.
public struct CSRPolicy: Sendable {
    /// The smallest RSA modulus accepted, in bits.
    public var minimumRSAKeySize: Int
    /// The signature algorithms a CSR may be signed with.
    public var allowedSignatureAlgorithms: Set<Certificate.SignatureAlgorithm>

    /// Creates a policy; the defaults are `standard`.
    public init(
        minimumRSAKeySize: Int = 2048,
        allowedSignatureAlgorithms: Set<Certificate.SignatureAlgorithm> = [
            .ecdsaWithSHA256, .ecdsaWithSHA384, .ecdsaWithSHA512,
            .sha256WithRSAEncryption, .sha384WithRSAEncryption, .sha512WithRSAEncryption,
        ]
    ) {
        self.minimumRSAKeySize = minimumRSAKeySize
        self.allowedSignatureAlgorithms = allowedSignatureAlgorithms
    }

    /// The policy the CA hierarchy issues under.
    public static let standard = CSRPolicy()

    /// Throws a `PKIError` unless `csr` meets the policy.
    public func check(_ csr: CertificateSigningRequest) throws {
        try checkKey(csr.publicKey)
        guard allowedSignatureAlgorithms.contains(csr.signatureAlgorithm) else {
            throw PKIError(
                code: .invalidCSR,
                message: "CSR signature algorithm \(csr.signatureAlgorithm) is not allowed"
            )
        }
        guard csr.publicKey.isValidSignature(csr.signature, for: csr) else {
            throw PKIError(code: .invalidCSRSignature, message: "the CSR's signature does not verify with its own key")
        }
        _ = try Self.commonName(of: csr)
    }

    /// Throws `PKIError.disallowedKey` unless `key` is P-256, P-384 or RSA of at least `minimumRSAKeySize` bits.
    public func checkKey(_ key: Certificate.PublicKey) throws {
        if P256.Signing.PublicKey(key) != nil || P384.Signing.PublicKey(key) != nil {
            return
        }
        if let rsa = _RSA.Signing.PublicKey(key), rsa.keySizeInBits >= minimumRSAKeySize {
            return
        }
        throw PKIError(
            code: .disallowedKey,
            message: "\(key.algorithmDescription) keys are not accepted (use P-256, P-384 or RSA ≥ \(minimumRSAKeySize))"
        )
    }

    /// The first subject common name of `csr`, or `PKIError.invalidCSR` when it has none.
    public static func commonName(of csr: CertificateSigningRequest) throws -> String {
        for rdn in csr.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value), !name.isEmpty {
                    return name
                }
            }
        }
        throw PKIError(code: .invalidCSR, message: "the CSR subject has no common name")
    }

    /// Parses a PEM `CERTIFICATE REQUEST`, reporting keys too weak to parse as `disallowedKey`.
    public static func parse(pemEncoded pem: String) throws -> CertificateSigningRequest {
        let document: PEMDocument
        do {
            document = try PEMDocument(pemString: pem)
        } catch {
            throw PKIError(code: .invalidCSR, message: "the CSR is not valid PEM")
        }
        guard document.discriminator == CertificateSigningRequest.defaultPEMDiscriminator else {
            throw PKIError(code: .invalidCSR, message: "expected a CERTIFICATE REQUEST PEM, found \(document.discriminator)")
        }
        return try parse(derEncoded: document.derBytes)
    }

    /// Parses a DER CSR, reporting keys too weak to parse as `disallowedKey`.
    public static func parse(derEncoded der: [UInt8]) throws -> CertificateSigningRequest {
        do {
            return try CertificateSigningRequest(derEncoded: der)
        } catch {
            // swift-certificates refuses RSA keys under 2048 bits while parsing; say so instead of "malformed".
            if let bits = rsaKeySize(inCSR: der) {
                throw PKIError(code: .disallowedKey, message: "RSA \(bits) keys are not accepted (use P-256, P-384 or RSA ≥ 2048)")
            }
            throw PKIError(code: .invalidCSR, message: "the CSR is not a valid PKCS#10 request")
        }
    }

    /// The RSA modulus size of the CSR's subjectPublicKeyInfo, or `nil` if it is not a readable RSA key.
    private static func rsaKeySize(inCSR der: [UInt8]) -> Int? {
        // CertificationRequest ::= SEQUENCE { certificationRequestInfo SEQUENCE { version, subject, spki, … }, … }
        guard let request = try? DER.parse(der),
            case .constructed(let requestFields) = request.content,
            let info = Array(requestFields).first,
            case .constructed(let infoFields) = info.content
        else { return nil }
        let fields = Array(infoFields)
        guard fields.count >= 3,
            let key = try? _RSA.Signing.PublicKey(unsafeDERRepresentation: fields[2].encodedBytes)
        else { return nil }
        return key.keySizeInBits
    }
}
