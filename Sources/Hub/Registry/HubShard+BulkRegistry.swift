import Foundation

extension HubShard {
    /// IoT Hub's limit on the devices of one bulk registry call.
    public static let bulkRegistryLimit = 100

    /// Applies up to 100 registry operations (`POST /devices`), each on its own: one failing does not undo or stop
    /// the others. Returns the failures, in request order (empty when every operation succeeded). Duplicate ids or
    /// more than 100 operations refuse the whole call.
    public func applyRegistryOperations(_ operations: [BulkRegistryOperation]) async throws -> [BulkRegistryFailure] {
        guard !operations.isEmpty else { throw HubError.badRequest("a bulk registry call needs at least one device") }
        guard operations.count <= Self.bulkRegistryLimit else {
            throw HubError.badRequest("a bulk registry call takes at most \(Self.bulkRegistryLimit) devices")
        }
        var seen = Set<String>()
        for operation in operations where !seen.insert(operation.deviceId.lowercased()).inserted {
            throw HubError.badRequest("device \(operation.deviceId) appears more than once; a device may be named once per call")
        }
        var failures: [BulkRegistryFailure] = []
        for operation in operations {
            do {
                try await apply(operation)
            } catch let error as HubError {
                failures.append(BulkRegistryFailure(deviceId: operation.deviceId, mode: operation.mode, error: error))
            }
        }
        return failures
    }

    private func apply(_ operation: BulkRegistryOperation) async throws {
        switch operation.mode {
        case .create:
            _ = try await createOrUpdateDevice(try specification(of: operation), ifMatch: nil)
        case .update:
            _ = try await createOrUpdateDevice(try specification(of: operation), ifMatch: "*")
        case .updateIfMatchETag:
            _ = try await createOrUpdateDevice(try specification(of: operation), ifMatch: try etag(of: operation))
        case .delete:
            try await deleteDevice(operation.deviceId, ifMatch: nil)
        case .deleteIfMatchETag:
            try await deleteDevice(operation.deviceId, ifMatch: try etag(of: operation))
        }
    }

    private func specification(of operation: BulkRegistryOperation) throws(HubError) -> DeviceSpecification {
        switch operation.specification {
        case .success(let specification): return specification
        case .failure(let error): throw error
        }
    }

    private func etag(of operation: BulkRegistryOperation) throws(HubError) -> String {
        guard let etag = operation.eTag, !etag.trimmingCharacters(in: .whitespaces).isEmpty else {
            throw .badRequest("importMode \(operation.mode.rawValue) needs the device's eTag")
        }
        return etag
    }
}
