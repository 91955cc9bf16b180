import Crypto
import Foundation
import NIOSSL
import SwiftASN1
import X509

/// A throw-away CA made in code: signs device client certificates for X.509 registration and a TLS server
/// certificate for the mosquitto baseline. ECDSA P-256 throughout.
struct TestCertificateAuthority: Sendable {
    /// A certificate with its key, in the forms NIOSSL and files need.
    struct Issued: Sendable {
        let certificate: Certificate
        let key: P256.Signing.PrivateKey

        /// The certificate for NIOSSL.
        func sslCertificate() throws -> NIOSSLCertificate {
            try NIOSSLCertificate(bytes: try Self.der(certificate), format: .der)
        }

        /// The key for NIOSSL.
        func sslKey() throws -> NIOSSLPrivateKey {
            try NIOSSLPrivateKey(bytes: Array(key.derRepresentation), format: .der)
        }

        /// PEM text of the certificate.
        func certificatePEM() throws -> String {
            try certificate.serializeAsPEM().pemString
        }

        /// PKCS#8 PEM text of the key.
        var keyPEM: String { key.pemRepresentation }

        static func der(_ certificate: Certificate) throws -> [UInt8] {
            var serializer = DER.Serializer()
            try serializer.serialize(certificate)
            return serializer.serializedBytes
        }
    }

    let root: Issued

    /// Makes a self-signed root valid from an hour ago for two days.
    init(commonName: String) throws {
        let key = P256.Signing.PrivateKey()
        let name = try DistinguishedName { CommonName(commonName); OrganizationName("Provisio benchmark") }
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 2 * 86400, issuer: name, subject: name,
            signatureAlgorithm: .ecdsaWithSHA256,
            extensions: try Certificate.Extensions {
                Critical(BasicConstraints.isCertificateAuthority(maxPathLength: nil))
                Critical(KeyUsage(keyCertSign: true, cRLSign: true))
                SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
            },
            issuerPrivateKey: .init(key))
        root = Issued(certificate: certificate, key: key)
    }

    /// A device certificate: CN = registration id, client authentication only.
    func issueDevice(registrationId: String) throws -> Issued {
        let key = P256.Signing.PrivateKey()
        let authority = try authorityKeyIdentifier()
        return try issue(subject: try DistinguishedName { CommonName(registrationId) }, key: key, extensions: try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.clientAuth])
            authority
            SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
        })
    }

    /// A TLS server certificate for `ipAddress`.
    func issueServer(ipAddress: String) throws -> Issued {
        let octets = ipAddress.split(separator: ".").compactMap { UInt8($0) }
        guard octets.count == 4 else { throw BenchmarkError("\(ipAddress) is not an IPv4 address") }
        let key = P256.Signing.PrivateKey()
        let authority = try authorityKeyIdentifier()
        return try issue(subject: try DistinguishedName { CommonName(ipAddress) }, key: key, extensions: try Certificate.Extensions {
            Critical(BasicConstraints.notCertificateAuthority)
            Critical(KeyUsage(digitalSignature: true))
            try ExtendedKeyUsage([.serverAuth])
            SubjectAlternativeNames([.ipAddress(ASN1OctetString(contentBytes: ArraySlice(octets)))])
            authority
            SubjectKeyIdentifier(hash: Certificate.PublicKey(key.publicKey))
        })
    }

    private func authorityKeyIdentifier() throws -> AuthorityKeyIdentifier {
        AuthorityKeyIdentifier(keyIdentifier: try root.certificate.extensions.subjectKeyIdentifier?.keyIdentifier)
    }

    private func issue(subject: DistinguishedName, key: P256.Signing.PrivateKey, extensions: Certificate.Extensions) throws -> Issued {
        let now = Date()
        let certificate = try Certificate(
            version: .v3, serialNumber: Certificate.SerialNumber(), publicKey: .init(key.publicKey),
            notValidBefore: now - 3600, notValidAfter: now + 2 * 86400, issuer: root.certificate.subject, subject: subject,
            signatureAlgorithm: .ecdsaWithSHA256, extensions: extensions, issuerPrivateKey: .init(root.key))
        return Issued(certificate: certificate, key: key)
    }
}
