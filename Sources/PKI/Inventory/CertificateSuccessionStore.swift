import Foundation

/// Which certificate replaced which: renewals mark a device's earlier certificates `superseded` and link them to
/// their successor in the inventory. The SQLite database implements it.
public protocol CertificateSuccessionStore: Sendable {
    /// The device's certificates (device ids match case-insensitively) that are neither revoked, superseded nor
    /// expired at `now`, except `excluding`, oldest first.
    func currentCertificates(deviceId: String, excluding serialNumber: String, now: Date) async throws -> [IssuedCertificateRecord]
    /// Links each of `serialNumbers` to `successor` and marks it `superseded` unless it is already revoked; durable on return.
    func markSuperseded(_ serialNumbers: [String], by successor: String) async throws
    /// The serial number of the certificate that replaced `serialNumber`, if any.
    func successor(of serialNumber: String) async throws -> String?
}
