import Foundation

/// CA generations held in memory, for tests and tools without a database; same rules as the SQLite store.
public actor InMemoryCAGenerationStore: CAGenerationStore {
    private var records: [CAGenerationRecord] = []
    /// Issuing CA serials revoked by retirement, in order.
    public private(set) var revokedIssuingSerials: [String] = []

    /// Creates an empty store.
    public init() {}

    /// Every generation, by number.
    public func caGenerations() async throws -> [CAGenerationRecord] {
        records.sorted { $0.number < $1.number }
    }

    /// Adds a generation; its number must be new.
    public func addCAGeneration(_ record: CAGenerationRecord) async throws {
        guard !records.contains(where: { $0.number == record.number }) else {
            throw PKIError(code: .inconsistentHierarchy, message: "CA generation \(record.number) already exists")
        }
        records.append(record)
    }

    /// Marks a generation retired and notes the revoked issuing CA serial.
    public func retireCAGeneration(number: Int, issuingSerialNumber: String, at date: Date) async throws {
        guard let index = records.firstIndex(where: { $0.number == number }) else {
            throw PKIError(code: .unknownGeneration, message: "there is no CA generation \(number)")
        }
        records[index].retiredAt = date
        revokedIssuingSerials.append(issuingSerialNumber)
    }
}
