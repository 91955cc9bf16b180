/// What `python/paho_connack.py` prints after one paho-mqtt connection attempt.
struct PahoConnAckReport: Decodable, Sendable {
    /// The installed paho-mqtt version.
    var pahoVersion: String?
    /// Whether paho's `on_connect` fired, i.e. a CONNACK arrived.
    var connackReceived: Bool
    /// The CONNACK return code paho reported.
    var returnCode: Int?
    /// Whether `on_disconnect` fired afterwards.
    var disconnected: Bool
    /// Connection, TLS or timeout failure.
    var error: String?

    /// Connects paho-mqtt (MQTT 3.1.1 over TLS, trusting `trustBundle`) to `host:port` as `clientIdentifier`.
    static func connect(trustBundle: String, host: String, port: Int, clientIdentifier: String) async throws -> PahoConnAckReport {
        try await PythonRunner.run(
            "paho_connack.py", [trustBundle, host, String(port), clientIdentifier], as: PahoConnAckReport.self)
    }
}
