import Provisioning

extension DeviceTwin {
    /// IoT Hub's `Twin` JSON for the service SDK.
    public func serviceDocument(identity: DeviceIdentity) -> JSONValue {
        var document: [String: JSONValue] = [
            "deviceId": .string(identity.deviceId),
            "etag": .string(etag),
            "deviceEtag": .string(identity.etag),
            "version": .number(Double(version)),
            "status": .string(identity.status),
            "connectionState": .string(identity.connectionState),
            "lastActivityTime": .string(identity.lastActivityTime),
            "cloudToDeviceMessageCount": .number(Double(identity.cloudToDeviceMessageCount)),
            "authenticationType": .string(identity.authentication.type),
            "capabilities": .object(["iotEdge": .bool(identity.capabilities.iotEdge)]),
            "tags": .object(tags),
            "properties": devicePropertiesDocument,
        ]
        if let modelId { document["modelId"] = .string(modelId) }
        if let thumbprint = identity.authentication.x509Thumbprint {
            document["x509Thumbprint"] = .object([
                "primaryThumbprint": thumbprint.primaryThumbprint.map(JSONValue.string) ?? .null,
                "secondaryThumbprint": thumbprint.secondaryThumbprint.map(JSONValue.string) ?? .null,
            ])
        }
        return .object(document)
    }
}
