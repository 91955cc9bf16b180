import Foundation
import Storage

/// Runs `body` with a fresh database in its own temporary directory, removed afterwards.
func withTemporaryDatabase(_ body: (ProvisioDatabase, String) async throws -> Void) async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("provisio-storage-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let path = directory.appendingPathComponent("provisio.sqlite").path
    try await body(try ProvisioDatabase(path: path), path)
}
