import Foundation
import SwiftASN1
import X509

/// Delegated OCSP responder certificates, one per issuing CA (RFC 6960 §4.2.2.2), so the CA key is not used for
/// every OCSP answer.
///
/// Each is issued from the `ocsp-signer` profile (EKU id-kp-OCSPSigning, short validity) and carries
/// id-pkix-ocsp-nocheck, since a responder cannot sensibly answer for itself; that is why its lifetime is short.
/// It is renewed once less than `renewBefore` of its life remains. The key goes into the CA key store
/// (`ocsp-signer-{ca}`, 0600 for files) before the certificate is written, the certificate into
/// `{directory}/{ca}.cert.pem` and the inventory; a pair left inconsistent by a crash is simply replaced.
/// Self-signed CAs (roots) keep signing their own answers: their only subjects are issuing CAs.
public actor DelegatedOCSPSigner {
    /// id-pkix-ocsp-nocheck (1.3.6.1.5.5.7.48.1.5).
    public static let noCheckOID: ASN1ObjectIdentifier = [1, 3, 6, 1, 5, 5, 7, 48, 1, 5]

    /// The profile responder certificates are issued under.
    public nonisolated let profile: CertificateProfile
    /// How much remaining validity triggers a renewal.
    public nonisolated let renewBefore: TimeInterval
    private let keyStore: any CAKeyStore
    private let directory: URL
    private let inventory: any CertificateInventory
    private let organization: String
    private var current: [String: OCSPResponseSigner] = [:]
    private var issuing = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates the signer; nothing is read or issued until a responder is first needed.
    ///
    /// - Parameters:
    ///   - profile: a leaf profile whose EKU includes `ocspSigning`.
    ///   - renewBefore: defaults to a third of the profile's validity (10 days of 30).
    public init(profile: CertificateProfile, keyStore: any CAKeyStore, directory: URL, inventory: any CertificateInventory,
                organization: String, renewBefore: TimeInterval? = nil) throws {
        guard !profile.isCertificateAuthority, try profile.parsedExtendedKeyUsage().contains(.ocspSigning) else {
            throw PKIError(code: .profileNotApplicable,
                           message: "profile '\(profile.name)' cannot issue OCSP responder certificates (it needs EKU ocspSigning)")
        }
        self.profile = profile
        self.renewBefore = renewBefore ?? profile.validityDuration / 3
        self.keyStore = keyStore
        self.directory = directory
        self.inventory = inventory
        self.organization = organization
    }

    /// The key-store name of the responder key for the CA called `name`.
    public static func keyName(forAuthorityNamed name: String) -> String {
        "ocsp-signer-\(name)"
    }

    /// The file the responder certificate of the CA called `name` is kept in.
    public nonisolated func certificateFile(forAuthorityNamed name: String) -> URL {
        directory.appendingPathComponent("\(name).cert.pem")
    }

    /// The signer of answers about `authority`'s certificates at `now`: the CA itself when it is self-signed, else
    /// its delegated responder, loaded or (re)issued as needed.
    public func responseSigner(for authority: CertificateAuthority, now: Date) async throws -> OCSPResponseSigner {
        if authority.certificate.issuer == authority.certificate.subject {
            return OCSPResponseSigner(authority: authority)
        }
        if let signer = cachedSigner(for: authority, now: now) {
            return signer
        }
        // One issuance at a time: two would race on the same key and certificate files.
        await acquire()
        defer { release() }
        if let signer = cachedSigner(for: authority, now: now) {
            return signer
        }
        let signer = try await loadOrIssue(for: authority, now: now)
        current[authority.name] = signer
        return signer
    }

    /// The signer held for `authority`, if it is still fresh; its signature was checked when it was loaded, and the
    /// CA's certificate must be the same one (a rotation reuses no names, but a restored backup might).
    private func cachedSigner(for authority: CertificateAuthority, now: Date) -> OCSPResponseSigner? {
        guard let signer = current[authority.name], signer.includedCertificates.last == authority.certificate,
              isFresh(signer.certificate, for: authority, now: now)
        else { return nil }
        return signer
    }

    private func loadOrIssue(for authority: CertificateAuthority, now: Date) async throws -> OCSPResponseSigner {
        let keyName = Self.keyName(forAuthorityNamed: authority.name)
        let file = certificateFile(forAuthorityNamed: authority.name)
        if let pem = try? String(contentsOf: file, encoding: .utf8), let stored = try? Certificate(pemEncoded: pem),
           isUsable(stored, for: authority, now: now),
           let key = try keyStore.loadPrivateKey(named: keyName), key.publicKey == stored.publicKey {
            return try OCSPResponseSigner(delegate: stored, privateKey: key, issuedBy: authority)
        }
        let key = try profile.keyAlgorithm.generatePrivateKey()
        try keyStore.storePrivateKey(key, named: keyName)
        let subject = try profile.subjectTemplate().render(
            .init(commonName: "\(Self.commonName(of: authority.certificate) ?? authority.name) OCSP Responder",
                  organization: organization))
        let noCheck = Certificate.Extension(oid: Self.noCheckOID, critical: false, value: [0x05, 0x00])  // NULL
        let certificate = try await authority.signCertificate(
            publicKey: key.publicKey, subject: subject, profile: profile, additionalExtensions: [noCheck], now: now)
        try await inventory.record(IssuedCertificateRecord(certificate: certificate, profile: profile.name))
        let pem = try PKIError.wrapping(.signingFailed, "could not encode an OCSP responder certificate") {
            try certificate.pemString()
        }
        try AtomicFileWriter.ensureDirectory(directory, permissions: nil)
        try AtomicFileWriter.write(Array(pem.utf8), to: file, permissions: 0o644)
        return try OCSPResponseSigner(delegate: certificate, privateKey: key, issuedBy: authority)
    }

    /// Issued by this CA's current key, already valid, and not yet due for renewal. One cut short by the CA's own
    /// expiry cannot be improved on, so it serves until it ends.
    private func isUsable(_ certificate: Certificate, for authority: CertificateAuthority, now: Date) -> Bool {
        certificate.issuer == authority.certificate.subject
            && authority.certificate.publicKey.isValidSignature(certificate.signature, for: certificate)
            && isFresh(certificate, for: authority, now: now)
    }

    private func isFresh(_ certificate: Certificate, for authority: CertificateAuthority, now: Date) -> Bool {
        guard certificate.notValidBefore <= now, now < certificate.notValidAfter else { return false }
        return now.addingTimeInterval(renewBefore) < certificate.notValidAfter
            || certificate.notValidAfter >= authority.certificate.notValidAfter
    }

    private static func commonName(of certificate: Certificate) -> String? {
        for rdn in certificate.subject {
            for attribute in rdn where attribute.type == .RDNAttributeType.commonName {
                if let name = String(attribute.value) { return name }
            }
        }
        return nil
    }

    private func acquire() async {
        guard issuing else {
            issuing = true
            return
        }
        await withCheckedContinuation { waiters.append($0) }
    }

    private func release() {
        if waiters.isEmpty {
            issuing = false
        } else {
            waiters.removeFirst().resume()  // The lock passes straight to the next waiter.
        }
    }
}
