import Foundation
import PKI
import X509

extension ProvisioServer {
    /// The delegated OCSP responders (`dps.ocspSigning: delegated`), keys in the CA key store, certificates in
    /// `ca/ocsp-signers/`; the current issuing CA's responder is loaded or issued now, so a problem stops the start.
    static func ocspSigners(configuration: ServerConfiguration, installation: Installation) async throws -> DelegatedOCSPSigner? {
        guard configuration.dps.ocspSigning == .delegated else { return nil }
        let signers = try DelegatedOCSPSigner(
            profile: try ProfileCatalog.builtIn.profile(named: "ocsp-signer"),
            keyStore: FileCAKeyStore(directory: installation.dataDirectory.keyDirectory),
            directory: installation.dataDirectory.caDirectory.appendingPathComponent("ocsp-signers", isDirectory: true),
            inventory: installation.database,
            organization: CAHierarchyConfiguration.builtIn.organization)
        let now = Date()
        _ = try await signers.responseSigner(for: installation.authorities.hierarchy(at: now).issuing, now: now)
        return signers
    }

    /// What EST `cacerts` returns: the issuing CA that signs new certificates now, its root, and any other trusted root.
    static func estCACertificates(_ authorities: LiveCertificateAuthorities) -> [Certificate] {
        // The issuing chain in force, then every other root still trusted (RFC 7030 §4.1.3: during a root rollover a
        // client learns the new root from cacerts before certificates chain to it).
        let hierarchy = authorities.hierarchy(at: Date())
        let chain = [hierarchy.issuing.certificate, hierarchy.root.certificate]
        return chain + authorities.set.trustedRoots.filter { !chain.contains($0) }
    }
}
