import Foundation
import SwiftASN1
import X509

/// The two-level CA: a self-signed root that only signs the issuing CA, and the issuing CA that signs leaves.
public struct CAHierarchy: Sendable {
    /// The self-signed root, the trust anchor devices and clients are given.
    public let root: CertificateAuthority
    /// The CA that signs device and server certificates.
    public let issuing: CertificateAuthority
    /// The names and profiles the hierarchy was created with.
    public let configuration: CAHierarchyConfiguration
    /// Where every issued certificate is recorded.
    let inventory: any CertificateInventory
    /// Where CRLs and OCSP are served; when set, certificates the issuing CA signs carry CDP and AIA extensions.
    public var revocationEndpoints: RevocationEndpoints?

    /// The key-store name and certificate file stem of the root CA.
    public static let rootName = "root"
    /// The key-store name and certificate file stem of the issuing CA.
    public static let issuingName = "issuing"

    /// Assembles a hierarchy from existing CAs, checking that the root signed the issuing CA.
    public init(
        root: CertificateAuthority,
        issuing: CertificateAuthority,
        configuration: CAHierarchyConfiguration,
        inventory: any CertificateInventory
    ) throws {
        guard root.certificate.issuer == root.certificate.subject,
            root.certificate.publicKey.isValidSignature(root.certificate.signature, for: root.certificate)
        else {
            throw PKIError(code: .inconsistentHierarchy, message: "the root CA certificate is not self-signed")
        }
        guard issuing.certificate.issuer == root.certificate.subject,
            root.certificate.publicKey.isValidSignature(issuing.certificate.signature, for: issuing.certificate)
        else {
            throw PKIError(code: .inconsistentHierarchy, message: "the issuing CA certificate was not signed by the root CA")
        }
        self.root = root
        self.issuing = issuing
        self.configuration = configuration
        self.inventory = inventory
    }

    /// The file a CA's certificate is kept in: `root.cert.pem` or `issuing.cert.pem`.
    public static func certificateFile(named name: String, in directory: URL) -> URL {
        directory.appendingPathComponent("\(name).cert.pem")
    }

    /// Loads the hierarchy from `directory` and `keyStore`, creating whatever is missing.
    ///
    /// On first use it generates the root (self-signed) and the issuing CA per `profiles`, stores the keys through
    /// `keyStore`, records both certificates in `inventory` and writes `root.cert.pem`/`issuing.cert.pem`. Each key
    /// is stored before its certificate is written, and files are replaced atomically, so a crash at any point
    /// either leaves nothing or a key whose certificate is recreated on the next start. A key already in the store
    /// without a certificate (left by such a crash, or provisioned in an HSM behind a `CustomPrivateKey`) is used
    /// rather than replaced, as long as its algorithm matches the profile. Existing certificates are
    /// never regenerated; a certificate without its key, a key that does not match, or an issuing CA not signed by
    /// the root is a `PKIError`. Not safe against two processes creating the same directory at once.
    public static func loadOrCreate(
        directory: URL,
        keyStore: any CAKeyStore,
        configuration: CAHierarchyConfiguration,
        profiles: ProfileCatalog,
        inventory: any CertificateInventory,
        now: Date
    ) async throws -> CAHierarchy {
        let rootProfile = try caProfile(named: configuration.rootProfile, in: profiles)
        let issuingProfile = try caProfile(named: configuration.issuingProfile, in: profiles)
        try AtomicFileWriter.ensureDirectory(directory, permissions: nil)
        let rootFile = certificateFile(named: rootName, in: directory)
        let issuingFile = certificateFile(named: issuingName, in: directory)

        let root: CertificateAuthority
        if let certificate = try readCertificate(rootFile) {
            root = try loadAuthority(name: rootName, certificate: certificate, keyStore: keyStore)
        } else {
            guard !FileManager.default.fileExists(atPath: issuingFile.path) else {
                throw PKIError(
                    code: .inconsistentHierarchy,
                    message: "\(issuingFile.path) exists but \(rootFile.path) does not; refusing to create a new root"
                )
            }
            let key = try privateKey(named: rootName, for: rootProfile, keyStore: keyStore)
            let subject = try rootProfile.subjectTemplate().render(
                .init(commonName: configuration.rootCommonName, organization: configuration.organization)
            )
            let certificate = try await CertificateAuthority.selfSignedCertificate(
                privateKey: key, subject: subject, profile: rootProfile, now: now
            )
            root = try CertificateAuthority(name: rootName, certificate: certificate, privateKey: key)
            try await publish(certificate, profile: rootProfile, to: rootFile, inventory: inventory)
        }

        let issuing: CertificateAuthority
        if let certificate = try readCertificate(issuingFile) {
            issuing = try loadAuthority(name: issuingName, certificate: certificate, keyStore: keyStore)
        } else {
            let key = try privateKey(named: issuingName, for: issuingProfile, keyStore: keyStore)
            let subject = try issuingProfile.subjectTemplate().render(
                .init(commonName: configuration.issuingCommonName, organization: configuration.organization)
            )
            let certificate = try await root.signCertificate(
                publicKey: key.publicKey, subject: subject, profile: issuingProfile, now: now
            )
            issuing = try CertificateAuthority(name: issuingName, certificate: certificate, privateKey: key)
            try await publish(certificate, profile: issuingProfile, to: issuingFile, inventory: inventory)
        }
        return try CAHierarchy(root: root, issuing: issuing, configuration: configuration, inventory: inventory)
    }

    static func caProfile(named name: String, in profiles: ProfileCatalog) throws -> CertificateProfile {
        let profile = try profiles.profile(named: name)
        guard profile.isCertificateAuthority else {
            throw PKIError(code: .profileNotApplicable, message: "profile '\(name)' is not a CA profile")
        }
        return profile
    }

    /// The stored key for a CA whose certificate is missing (left by a crash before the certificate was written),
    /// or a new one. A stored key of another algorithm than the profile's is replaced: it never signed anything.
    static func privateKey(
        named name: String,
        for profile: CertificateProfile,
        keyStore: any CAKeyStore
    ) throws -> Certificate.PrivateKey {
        if let existing = try keyStore.loadPrivateKey(named: name),
            KeyAlgorithm(publicKey: existing.publicKey) == profile.keyAlgorithm
        {
            return existing
        }
        let key = try profile.keyAlgorithm.generatePrivateKey()
        try keyStore.storePrivateKey(key, named: name)
        return key
    }

    static func loadAuthority(
        name: String,
        certificate: Certificate,
        keyStore: any CAKeyStore
    ) throws -> CertificateAuthority {
        guard let key = try keyStore.loadPrivateKey(named: name) else {
            throw PKIError(
                code: .missingPrivateKey,
                message: "the \(name) CA certificate exists but its private key '\(name)' is not in the key store"
            )
        }
        return try CertificateAuthority(name: name, certificate: certificate, privateKey: key)
    }

    /// Records a new CA certificate, then writes its file; recording first means a crash can leave an extra
    /// inventory row for a certificate never published, but never a published certificate that is unrecorded.
    static func publish(
        _ certificate: Certificate,
        profile: CertificateProfile,
        to file: URL,
        inventory: any CertificateInventory
    ) async throws {
        try await inventory.record(IssuedCertificateRecord(certificate: certificate, profile: profile.name))
        let pem = try PKIError.wrapping(.signingFailed, "could not encode a CA certificate") {
            try certificate.pemString()
        }
        try AtomicFileWriter.write(Array(pem.utf8), to: file, permissions: 0o644)
    }

    static func readCertificate(_ file: URL) throws -> Certificate? {
        guard FileManager.default.fileExists(atPath: file.path) else { return nil }
        let pem = try ConfigurationDocument.read(file)
        do {
            return try Certificate(pemEncoded: pem)
        } catch {
            throw PKIError(code: .invalidStoredMaterial, message: "\(file.path) is not a PEM certificate")
        }
    }
}
