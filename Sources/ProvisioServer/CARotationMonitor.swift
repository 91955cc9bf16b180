import Foundation
import Gateway
import Logging
import PKI
import ServiceLifecycle
import X509

/// Keeps a running server in step with its CA generations: it notices a rotation or retirement another process
/// (`provisio ca rotate`/`retire`) committed, and the moment a pending generation activates. Then it swaps the
/// generations issuance uses, the CAs whose CRLs and OCSP answers are served, rewrites the trust bundle, and
/// re-issues the listeners' TLS certificates from the active issuing CA, reloading them for new connections only.
/// Devices whose only certificates come from a CA just retired are disconnected everywhere.
struct CARotationMonitor: Service {
    let installation: Installation
    let configuration: ServerConfiguration
    let revocation: RevocationAuthority
    let connections: HubConnectionDirectory
    let tlsContexts: [String: ReloadableTLSContext]
    let interval: Duration
    let logger: Logger

    /// Polls until graceful shutdown; a failed pass is logged and retried on the next tick.
    func run() async throws {
        // What the server runs with is what it loaded at start: a rotation committed since then differs from it and
        // is applied on the first tick.
        let loaded = installation.authorities.set
        await cancelWhenGracefulShutdown {
            var known = loaded.generations.map(\.record)
            var activeNumber = loaded.active(at: Date()).number
            // The set last applied in full: a pass that fails half-way is retried against it, so devices of a CA
            // retired in that pass are still disconnected.
            var applied = loaded
            while !Task.isCancelled {
                do {
                    let now = Date()
                    let records = try await installation.rotation.store.caGenerations()
                    let current = installation.authorities.set
                    if records != known || current.active(at: now).number != activeNumber {
                        let set = records == known ? current : try await installation.rotation.load(now: now)
                        try await apply(set, after: applied, now: now)
                        applied = set
                        known = records
                        activeNumber = set.active(at: now).number
                    }
                } catch {
                    logger.error("CA generation update failed", metadata: ["pki.error": "\(error)"])
                }
                do {
                    try await Task.sleep(for: interval)
                } catch {
                    return
                }
            }
        }
    }

    private func apply(_ set: CAGenerationSet, after previous: CAGenerationSet, now: Date) async throws {
        let retiredBefore = Set(previous.generations.filter(\.isRetired).map(\.number))
        try installation.authorities.replace(with: set)
        await revocation.replaceAuthorities(set.revocationAuthorities(at: now))
        try await revocation.synchronize(now: now)
        try CARotation.writeTrustBundle(set, to: installation.dataDirectory)
        let active = set.active(at: now)
        let identities = try await Installation.serverIdentities(
            configuration: configuration, hierarchy: installation.authorities.hierarchy(at: now),
            trustRootsPEM: set.trustBundlePEM, dataDirectory: installation.dataDirectory, now: now)
        for (name, identity) in identities {
            try tlsContexts[name]?.reload(identity)
        }
        let newlyRetired = set.generations.filter { $0.isRetired && !retiredBefore.contains($0.number) }
        if !newlyRetired.isEmpty {
            try await disconnectDevices(retired: newlyRetired, set: set, now: now)
        }
        logger.notice("CA generations updated", metadata: [
            "pki.active_generation": "\(active.number)", "pki.active_issuer": "\(active.issuing.certificate.subject)",
            "pki.verifying_generations": "\(set.current.map(\.number))",
        ])
    }

    /// Closes the connections of devices that hold certificates only from the retired issuing CAs: those cannot be
    /// connected with anything that still verifies. Devices that already have a certificate from a current
    /// generation are left alone (they may be connected with it).
    private func disconnectDevices(retired: [CAGeneration], set: CAGenerationSet, now: Date) async throws {
        let retiredIssuers = Set(retired.map { String(describing: $0.issuing.certificate.subject) })
        let currentIssuers = Set(set.current.map { String(describing: $0.issuing.certificate.subject) })
        let entries = try await revocation.issuedCertificates(matching: IssuedCertificateFilter(), now: now)
        var issuersByDevice: [String: Set<String>] = [:]
        for entry in entries {
            guard let deviceId = entry.record.deviceId else { continue }
            issuersByDevice[deviceId, default: []].insert(entry.record.issuer)
        }
        for (deviceId, issuers) in issuersByDevice
        where !issuers.isDisjoint(with: retiredIssuers) && issuers.isDisjoint(with: currentIssuers) {
            await connections.disconnectEverywhere(deviceId: deviceId)
        }
    }
}
