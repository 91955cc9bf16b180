import Foundation
import Gateway
import Hub
import Hummingbird
import HummingbirdTesting
import HTTPTypes
import Provisioning
import AccessControl
import Testing

/// One shard's service routes over in-memory stores and a recording notifier, with an owner policy and
/// single-permission policies, plus token helpers shaped like the `azure-iot-hub` SDK's.
struct HubServiceFixture {
    static let hostName = "127.0.0.2:8443"
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    let store = InMemoryHubStore()
    let notifier = RecordingHubNotifier()
    let owner = policy("iothubowner", [.registryRead, .registryWrite, .serviceConnect, .deviceConnect])
    let registryReader = policy("registryRead", [.registryRead])
    let registryWriter = policy("registryReadWrite", [.registryRead, .registryWrite])
    let service = policy("service", [.serviceConnect])

    /// The shard under test (fixed clock).
    var shard: HubShard {
        HubShard(name: "hub-1", hostName: "127.0.0.2", registry: store, cloudToDevice: store,
                 telemetry: TelemetryBatcher(store: store), notifier: notifier, now: { Self.now })
    }

    /// A router like the server's: `ServiceErrorMiddleware` outside, the hub routes (with their own error rendering);
    /// tokens may name the host with or without the port, as `ProvisioServer.serviceHostNames` allows.
    func application() -> some ApplicationProtocol {
        let router = Router()
        router.middlewares.add(ServiceErrorMiddleware())
        let authenticator = ServiceAuthenticator(policies: [owner, registryReader, registryWriter, service],
                                                 hostNames: ["127.0.0.2", Self.hostName], now: { Self.now })
        HubServiceRoutes.add(to: router, shard: shard, authenticator: authenticator, presence: notifier)
        return Application(router: router)
    }

    /// A token like the SDK's: `sr=quote_plus(HostName)`, `skn=<policy>`.
    func token(_ policy: SharedAccessPolicy? = nil, resource: String = hostName, expiry: Int64? = nil) -> String {
        let policy = policy ?? owner
        return SharedAccessSignature.make(resource: resource, key: policy.primaryKey,
                                          expiry: expiry ?? Int64(Self.now.timeIntervalSince1970) + 3600, keyName: policy.name)
    }

    /// The SDK's headers: owner token (or `token`), JSON content type, optional If-Match.
    func headers(token: String? = nil, ifMatch: String? = nil, extra: [HTTPField.Name: String] = [:]) -> HTTPFields {
        var headers = HTTPFields()
        headers[.authorization] = token ?? self.token()
        headers[.contentType] = "application/json; charset=utf-8"
        if let ifMatch { headers[.ifMatch] = ifMatch }
        for (name, value) in extra { headers[name] = value }
        return headers
    }

    /// Runs `body` against the routes.
    func test(_ body: @escaping @Sendable (any TestClientProtocol) async throws -> Void) async throws {
        try await application().test(.router, body)
    }

    /// Creates a SAS device with generated keys through the API and returns its JSON.
    @discardableResult
    func createDevice(_ id: String, client: any TestClientProtocol, status: String = "enabled") async throws -> JSONValue {
        let response = try await client.execute(uri: "/devices/\(id)" + hubAPIVersion, method: .put, headers: headers(),
                                                body: .json(#"{"deviceId": "\#(id)", "status": "\#(status)", "authentication": {"type": "sas", "symmetricKey": {}}, "capabilities": {"iotEdge": false}}"#))
        #expect(response.status == .ok, "\(response.text)")
        return try response.json()
    }

    private static func policy(_ name: String, _ permissions: Set<SharedAccessPermission>) -> SharedAccessPolicy {
        SharedAccessPolicy(name: name, primaryKey: .generate(byteCount: 32), secondaryKey: .generate(byteCount: 32), permissions: permissions)
    }
}

/// The `azure-iot-hub` SDK's query string.
let hubAPIVersion = "?api-version=2021-04-12"

/// Checks an IoT Hub error: status, `iothub-errorcode` header, `Message` of `ErrorCode:<name>;…`, `ExceptionMessage`
/// with a tracking id, and the numeric `errorCode`.
func expectHubError(_ response: TestResponse, status: HTTPResponse.Status, name: String? = nil, errorCode: Int? = nil,
                    sourceLocation: SourceLocation = #_sourceLocation) throws {
    #expect(response.status == status, "\(response.text)", sourceLocation: sourceLocation)
    let body = try response.json()
    guard case .string(let message)? = body["Message"], case .string(let exception)? = body["ExceptionMessage"] else {
        Issue.record("not an IoT Hub error body: \(response.text)", sourceLocation: sourceLocation)
        return
    }
    #expect(message.hasPrefix("ErrorCode:"), sourceLocation: sourceLocation)
    #expect(exception.hasPrefix("Tracking ID:") && exception.contains("-TimeStamp:"), sourceLocation: sourceLocation)
    if let name {
        #expect(message.hasPrefix("ErrorCode:\(name);"), "\(message)", sourceLocation: sourceLocation)
        #expect(response.headers[HTTPField.Name("iothub-errorcode")!] == name, sourceLocation: sourceLocation)
    }
    if let errorCode { #expect(body["errorCode"] == .number(Double(errorCode)), "\(response.text)", sourceLocation: sourceLocation) }
}

extension JSONValue {
    /// The string value, if this is a string.
    var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The array value, if this is an array.
    var arrayValue: [JSONValue]? {
        if case .array(let items) = self { return items }
        return nil
    }
}
