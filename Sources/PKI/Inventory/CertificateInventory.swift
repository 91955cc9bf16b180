/// The record of every certificate the CA has issued; SQLite and PostgreSQL back ends implement it elsewhere.
public protocol CertificateInventory: Sendable {
    /// Durably records a newly issued certificate before it is handed out.
    func record(_ certificate: IssuedCertificateRecord) async throws
    /// All recorded certificates, oldest first.
    func certificates() async throws -> [IssuedCertificateRecord]
}
