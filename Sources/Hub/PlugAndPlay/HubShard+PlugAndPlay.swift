import Foundation
import Provisioning

extension HubShard {
    /// Stores the model id a device (or module) announced at connect as its twin's `modelId`; writes only on a change.
    public func recordModelId(deviceId: String, moduleId: String? = nil, modelId: String) async throws {
        guard DigitalTwinModelId.isValid(modelId) else { throw HubError.badRequest("model-id is not a DTMI (dtmi:…;version)") }
        try await twinLocks.withLock(Self.twinKey(deviceId, moduleId)) {
            let identity = try await identity(deviceId, moduleId)
            var twin = try await twin(deviceId, moduleId)
            guard twin.modelId != modelId else { return }
            twin.modelId = modelId
            twin.etag = Self.newETag()
            try await save(identity, twin)
        }
    }

    /// The device's digital twin and its etag.
    public func digitalTwin(deviceId: String) async throws -> (document: JSONValue, etag: String) {
        let identity = try await device(deviceId)
        let twin = try await twin(identity.deviceId)
        return (DigitalTwinDocument.make(deviceId: identity.deviceId, twin: twin), twin.etag)
    }

    /// Applies a digital twin JSON Patch as a desired-properties update (which reaches the device); returns the new etag.
    public func updateDigitalTwin(deviceId: String, operations: JSONValue, ifMatch: String?) async throws -> String {
        let twin = try await twin(deviceId)
        let desired = try DigitalTwinPatch.desiredPatch(operations, twin: twin)
        let updated = try await updateTwin(deviceId: deviceId, patch: .object(["properties": .object(["desired": .object(desired)])]),
                                           ifMatch: ifMatch)
        guard case .string(let etag)? = updated["etag"] else { return "" }
        return etag
    }

    /// Invokes a digital twin command: the direct method `name` at the root, `component*name` on a component.
    public func invokeDigitalTwinCommand(deviceId: String, component: String?, name: String, payload: JSONValue?,
                                         connectTimeoutInSeconds: Int?, responseTimeoutInSeconds: Int?) async throws -> DirectMethodResponse {
        guard !name.isEmpty, !name.contains("*"), component.map({ !$0.isEmpty && !$0.contains("*") }) ?? true else {
            throw HubError.badRequest("command and component names must be non-empty and without '*'")
        }
        let method = component.map { "\($0)*\(name)" } ?? name
        return try await invokeMethod(deviceId: deviceId, moduleId: nil, request: DirectMethodRequest(
            methodName: method, payload: payload, responseTimeoutInSeconds: responseTimeoutInSeconds,
            connectTimeoutInSeconds: connectTimeoutInSeconds))
    }
}
