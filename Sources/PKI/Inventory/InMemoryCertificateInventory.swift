/// A `CertificateInventory` held in memory, for tests and tools that need no persistence.
public actor InMemoryCertificateInventory: CertificateInventory {
    private var records: [IssuedCertificateRecord] = []

    /// Creates an empty inventory.
    public init() {}

    /// Appends `certificate`.
    public func record(_ certificate: IssuedCertificateRecord) async throws {
        records.append(certificate)
    }

    /// All records in the order they were recorded.
    public func certificates() async throws -> [IssuedCertificateRecord] {
        records
    }
}
