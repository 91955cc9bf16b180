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

    /// What EST `cacerts` returns: the issuing CA that signs new certificates now, and its root.
    static func estCACertificates(_ authorities: LiveCertificateAuthorities) -> [Certificate] {
        let hierarchy = authorities.hierarchy(at: Date())
        return [hierarchy.issuing.certificate, hierarchy.root.certificate]
    }
}
