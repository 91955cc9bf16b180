/// Who signs the OCSP responder's answers about certificates an issuing CA issued (`dps.ocspSigning`).
public enum OCSPSigningMode: String, Codable, Sendable, Equatable, CaseIterable {
    /// A short-lived delegated responder certificate per issuing CA (`CA/ocsp-signer.yaml`), renewed before it
    /// expires, so the CA key signs only certificates and CRLs. The default.
    case delegated
    /// The issuing CA's own key.
    case ca
}
