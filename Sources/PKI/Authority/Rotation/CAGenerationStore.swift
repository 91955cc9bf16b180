import Foundation

/// Durable CA generations; the SQLite database implements it, so the CLI and a running server share them.
public protocol CAGenerationStore: Sendable {
    /// Every generation, by number.
    func caGenerations() async throws -> [CAGenerationRecord]
    /// Adds a generation; throws `PKIError.inconsistentHierarchy` if its number is taken.
    func addCAGeneration(_ record: CAGenerationRecord) async throws
    /// Marks a generation retired at `date` and, in the same transaction, revokes its issuing CA certificate
    /// (`issuingSerialNumber`, inventory form) with reason cessationOfOperation, so the root's CRL lists it.
    func retireCAGeneration(number: Int, issuingSerialNumber: String, at date: Date) async throws
}
