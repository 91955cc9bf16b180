import Foundation
import X509

/// Loads, adds and retires CA generations of one data directory: certificates in `directory`
/// (`{name}.cert.pem`), keys in `keyStore`, the generation list in `store`.
///
/// Rotation never touches an existing CA: a new generation gets new names (`issuing-{n}`, `root-{n}`), its keys are
/// stored before its certificates are written, and the generation becomes visible only when its record is
/// committed, so a crash leaves at worst unused files that the next rotation of the same number reuses or replaces.
public struct CARotation: Sendable {
    /// Where CA certificates are kept.
    public let directory: URL
    /// Where CA keys are kept.
    public let keyStore: any CAKeyStore
    /// Names and profiles of the hierarchy.
    public let configuration: CAHierarchyConfiguration
    /// The CA profiles.
    public let profiles: ProfileCatalog
    /// Where new CA certificates are recorded.
    public let inventory: any CertificateInventory
    /// The durable generation list.
    public let store: any CAGenerationStore

    /// Creates the rotation for one data directory.
    public init(directory: URL, keyStore: any CAKeyStore, configuration: CAHierarchyConfiguration, profiles: ProfileCatalog,
                inventory: any CertificateInventory, store: any CAGenerationStore) {
        self.directory = directory
        self.keyStore = keyStore
        self.configuration = configuration
        self.profiles = profiles
        self.inventory = inventory
        self.store = store
    }

    /// Loads every generation, creating generation 1 (the first-start hierarchy) when the directory has none.
    public func load(now: Date) async throws -> CAGenerationSet {
        var records = try await store.caGenerations()
        if records.isEmpty {
            let first = try await CAHierarchy.loadOrCreate(
                directory: directory, keyStore: keyStore, configuration: configuration, profiles: profiles,
                inventory: inventory, now: now)
            let record = CAGenerationRecord(
                number: 1, rootName: CAHierarchy.rootName, issuingName: CAHierarchy.issuingName,
                createdAt: first.issuing.certificate.notValidBefore, activatesAt: first.issuing.certificate.notValidBefore)
            do {
                try await store.addCAGeneration(record)
            } catch {
                // Another process (the server or a CLI command) recorded generation 1 at the same moment.
                guard try await !store.caGenerations().isEmpty else { throw error }
            }
            records = try await store.caGenerations()
        }
        var authorities: [String: CertificateAuthority] = [:]
        func authority(_ name: String) throws -> CertificateAuthority {
            if let known = authorities[name] { return known }
            guard let certificate = try CAHierarchy.readCertificate(CAHierarchy.certificateFile(named: name, in: directory)) else {
                throw PKIError(code: .inconsistentHierarchy, message: "the certificate of CA '\(name)' is missing from \(directory.path)")
            }
            let loaded = try CAHierarchy.loadAuthority(name: name, certificate: certificate, keyStore: keyStore)
            authorities[name] = loaded
            return loaded
        }
        return try CAGenerationSet(generations: records.map { record in
            let root = try authority(record.rootName)
            let issuing = try authority(record.issuingName)
            // The same check CAHierarchy makes: a generation is only usable if its root signed its issuing CA.
            _ = try CAHierarchy(root: root, issuing: issuing, configuration: configuration, inventory: inventory)
            return CAGeneration(record: record, root: root, issuing: issuing)
        })
    }

    /// Adds a generation that issues from `activatesAt` on: a new issuing CA under the active generation's root or,
    /// with `newRoot`, a new self-signed root and an issuing CA under it.
    ///
    /// No cross-signed copy of a new root is made: the root profile's path length constraint of 1 (root → issuing →
    /// leaf) forbids the extra CA level a chain leaf → issuing → cross-signed root → old root needs, so clients must
    /// pick the new root up from the trust bundle during the overlap before the new generation activates.
    public func rotate(newRoot: Bool, activatesAt: Date, now: Date) async throws -> (set: CAGenerationSet, added: CAGeneration) {
        let before = try await load(now: now)
        let number = (before.generations.map(\.number).max() ?? 0) + 1
        let rootProfile = try CAHierarchy.caProfile(named: configuration.rootProfile, in: profiles)
        let issuingProfile = try CAHierarchy.caProfile(named: configuration.issuingProfile, in: profiles)
        let currentRoot = before.active(at: now).root

        let root: CertificateAuthority
        if newRoot {
            let name = "root-\(number)"
            let key = try CAHierarchy.privateKey(named: name, for: rootProfile, keyStore: keyStore)
            let subject = try rootProfile.subjectTemplate().render(
                .init(commonName: Self.commonName(configuration.rootCommonName, generation: number),
                      organization: configuration.organization))
            let certificate = try await CertificateAuthority.selfSignedCertificate(
                privateKey: key, subject: subject, profile: rootProfile, now: now)
            root = try CertificateAuthority(name: name, certificate: certificate, privateKey: key)
            try await CAHierarchy.publish(certificate, profile: rootProfile, to: CAHierarchy.certificateFile(named: name, in: directory),
                                          inventory: inventory)
        } else {
            root = currentRoot
        }

        let issuingName = "issuing-\(number)"
        let key = try CAHierarchy.privateKey(named: issuingName, for: issuingProfile, keyStore: keyStore)
        let subject = try issuingProfile.subjectTemplate().render(
            .init(commonName: Self.commonName(configuration.issuingCommonName, generation: number),
                  organization: configuration.organization))
        let certificate = try await root.signCertificate(publicKey: key.publicKey, subject: subject, profile: issuingProfile, now: now)
        try await CAHierarchy.publish(certificate, profile: issuingProfile,
                                      to: CAHierarchy.certificateFile(named: issuingName, in: directory), inventory: inventory)
        try await store.addCAGeneration(CAGenerationRecord(
            number: number, rootName: root.name, issuingName: issuingName, createdAt: now, activatesAt: max(activatesAt, now)))
        let after = try await load(now: now)
        guard let added = after.generations.first(where: { $0.number == number }) else {
            throw PKIError(code: .inconsistentHierarchy, message: "generation \(number) was not recorded")
        }
        return (after, added)
    }

    /// Retires generation `number`: its issuing CA stops verifying (and is listed as revoked on its root's CRL);
    /// its root leaves the trust bundle unless a non-retired generation shares it. The active generation cannot be
    /// retired: rotate first and wait until the new one is active.
    public func retire(generation number: Int, now: Date) async throws -> CAGenerationSet {
        let before = try await load(now: now)
        guard let generation = before.generations.first(where: { $0.number == number }) else {
            throw PKIError(code: .unknownGeneration, message: "there is no CA generation \(number)")
        }
        guard !generation.isRetired else {
            throw PKIError(code: .generationRetired, message: "CA generation \(number) is already retired")
        }
        guard before.active(at: now).number != number else {
            throw PKIError(code: .generationInUse,
                           message: "CA generation \(number) is the active one; rotate to a new generation and let it activate first")
        }
        let serial = SerialNumberText.canonical(bytes: generation.issuing.certificate.serialNumber.bytes)
        try await store.retireCAGeneration(number: number, issuingSerialNumber: serial, at: now)
        return try await load(now: now)
    }

    /// The common name of generation `generation`: a trailing number is replaced ("… CA 1" → "… CA 2"), otherwise
    /// " G{n}" is appended. Generation 1 keeps the configured name. Distinct names keep issuers apart in CRLs,
    /// OCSP and path building, which all match CAs by subject.
    static func commonName(_ base: String, generation: Int) -> String {
        guard generation > 1 else { return base }
        var words = base.split(separator: " ", omittingEmptySubsequences: false).map(String.init)
        if let last = words.last, Int(last) != nil, words.count > 1 {
            words[words.count - 1] = String(generation)
            return words.joined(separator: " ")
        }
        return "\(base) G\(generation)"
    }
}
