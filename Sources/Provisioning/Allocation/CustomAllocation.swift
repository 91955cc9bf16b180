import Foundation

/// Posts Azure's AllocationRequest to the enrollment's webhook and takes its AllocationResponse.
public struct CustomAllocation: AllocationPolicy {
    let webhook: any CustomAllocationWebhook
    let timeout: Duration

    /// Creates the policy with a webhook transport and a deadline for its answer.
    public init(webhook: any CustomAllocationWebhook, timeout: Duration = .seconds(10)) {
        self.webhook = webhook
        self.timeout = timeout
    }

    /// Calls the webhook; a failure, a bad answer or a hub it may not choose fails the registration.
    public func allocate(_ request: AllocationRequest) async throws -> AllocationDecision {
        let settings = request.device.settings
        guard let definition = settings.customAllocationDefinition, let url = URL(string: definition.webhookUrl),
              ["http", "https"].contains(url.scheme?.lowercased() ?? "")
        else { throw ProvisioningError.allocationFailed("custom allocation needs an http or https webhookUrl") }

        let body = try Self.requestBody(request)
        let answer: Data
        do {
            answer = try await webhook.post(url: url, body: body, timeout: timeout)
        } catch let error as ProvisioningError {
            throw error
        } catch {
            // Not the error's text: the device reads this message, and transport errors carry the webhook URL
            // with its function key (`?code=…`).
            throw ProvisioningError.allocationFailed("custom allocation webhook call failed (no answer or not reachable)")
        }
        guard let response = try? JSONDecoder().decode(JSONValue.self, from: answer), response.objectValue != nil else {
            throw ProvisioningError.allocationFailed("custom allocation webhook answered something other than a JSON object")
        }
        guard case .string(let hostName)? = response["iotHubHostName"] ?? response["iotHubHostname"] else {
            throw ProvisioningError.allocationFailed("custom allocation webhook answer has no iotHubHostName")
        }
        guard let hub = request.candidates.first(where: { $0.hostName.caseInsensitiveCompare(hostName) == .orderedSame }) else {
            throw ProvisioningError.allocationFailed("custom allocation webhook chose \(hostName), which is not one of the linked hubs")
        }
        let twin = response["initialTwin"].flatMap { $0 == .null ? nil : $0 }
        let payload = response["payload"].flatMap { $0 == .null ? nil : $0 }
        return AllocationDecision(hub: hub, initialTwin: twin, payload: payload)
    }

    /// Azure's AllocationRequest: the enrollment (without keys), the device's runtime context and the linked hubs.
    static func requestBody(_ request: AllocationRequest) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        var context: [String: JSONValue] = ["registrationId": .string(request.device.registrationId)]
        if let payload = request.payload { context["payload"] = payload }
        if let current = request.currentHub {
            context["currentIotHubHostName"] = .string(current.hostName)
            context["currentDeviceId"] = .string(request.device.deviceId)
        }
        switch request.device.hubAuthentication {
        case .symmetricKey: context["symmetricKey"] = .object([:])
        case .selfSigned, .certificateAuthority:
            context["x509"] = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(request.device.x509Result))
        }
        var body: [String: JSONValue] = [
            "deviceRuntimeContext": .object(context),
            "linkedHubs": .array(request.candidates.map { .string($0.hostName) }),
        ]
        switch request.device.source {
        case .individual(var enrollment):
            enrollment.attestation = enrollment.attestation.withoutSecrets
            body["individualEnrollment"] = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(enrollment))
        case .group(var group):
            group.attestation = group.attestation.withoutSecrets
            body["enrollmentGroup"] = try JSONDecoder().decode(JSONValue.self, from: encoder.encode(group))
        }
        return try encoder.encode(JSONValue.object(body))
    }
}

/// Delivers a JSON POST to a webhook and returns the 2xx body; any other outcome throws.
public protocol CustomAllocationWebhook: Sendable {
    /// Posts `body` to `url` and returns the response body, within `timeout`.
    func post(url: URL, body: Data, timeout: Duration) async throws -> Data
}

extension AttestationMechanism {
    /// The mechanism with symmetric keys removed (webhooks and logs never see them).
    public var withoutSecrets: AttestationMechanism {
        var copy = self
        if copy.symmetricKey != nil { copy.symmetricKey = SymmetricKeyAttestation() }
        return copy
    }
}
