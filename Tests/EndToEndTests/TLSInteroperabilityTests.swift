import Foundation
import Testing

/// Python's `ssl` module (OpenSSL, TLS 1.2 only, hostname checking) against every listener.
@Suite("TLS interoperability with Python ssl", .timeLimit(.minutes(3)))
struct TLSInteroperabilityTests {
    @Test("A TLS 1.2 client with check_hostname completes a handshake on every MQTT and HTTPS port")
    func tls12HandshakeWithEveryListener() async throws {
        let server = try await ServerProcess.start()
        let endpoints = server.endpoints
        var targets = endpoints.flatMap { ["handshake:\($0.host):\($0.mqttPort)", "handshake:\($0.host):\($0.httpsPort)"] }
        // Control: the DPS certificate must not be accepted for a shard's address.
        let dps = try server.endpoint("dps")
        let hub = try server.endpoint("hub-1")
        targets.append("handshake:\(dps.host):\(dps.mqttPort):\(hub.host)")

        let report = try await TLSProbeReport.probe(trustBundle: server.connection.trustBundle, targets: targets)
        try #require(report.results.count == targets.count)
        for endpoint in endpoints {
            for port in [endpoint.mqttPort, endpoint.httpsPort] {
                let target = "handshake:\(endpoint.host):\(port)"
                let result = try #require(report.results.first { $0.target == target })
                #expect(result.ok, "\(target): \(result.error ?? "")")
                #expect(result.version == "TLSv1.2", "\(target)")
                #expect(result.subjectAltName?.contains(["IP Address", endpoint.host]) == true,
                        "\(target) SAN: \(result.subjectAltName ?? [])")
            }
        }
        let mismatch = try #require(report.results.last)
        #expect(!mismatch.ok, "the probe must check host names: \(mismatch.target) was accepted")
        #expect(mismatch.error?.contains("CERTIFICATE_VERIFY_FAILED") == true, "\(mismatch.error ?? "")")
        #expect(try await server.stop() == .exited(0))
    }

    @Test("GET /health answers 200 JSON on every endpoint; an unknown path answers 404 with errorCode 404000")
    func healthAndUnknownPath() async throws {
        let server = try await ServerProcess.start()
        let endpoints = server.endpoints
        let targets = endpoints.flatMap {
            ["get:\($0.host):\($0.httpsPort):/health", "get:\($0.host):\($0.httpsPort):/no/such/resource"]
        }
        let report = try await TLSProbeReport.probe(trustBundle: server.connection.trustBundle, targets: targets)
        try #require(report.results.count == targets.count)

        for (index, endpoint) in endpoints.enumerated() {
            let health = report.results[2 * index]
            try #require(health.ok, "\(health.target): \(health.error ?? "")")
            #expect(health.version == "TLSv1.2")
            #expect(health.status == 200, "\(health.target): \(health.body ?? "")")
            #expect(health.contentType?.hasPrefix("application/json") == true, "\(health.target): \(health.contentType ?? "none")")
            let healthBody = try JSONDecoder().decode(HealthBody.self, from: Data((health.body ?? "").utf8))
            #expect(healthBody == HealthBody(status: "ok", endpoint: endpoint.name))

            let missing = report.results[2 * index + 1]
            try #require(missing.ok, "\(missing.target): \(missing.error ?? "")")
            #expect(missing.status == 404, "\(missing.target): \(missing.body ?? "")")
            #expect(missing.contentType?.hasPrefix("application/json") == true, "\(missing.target): \(missing.contentType ?? "none")")
            let errorBody = try JSONDecoder().decode(ErrorBody.self, from: Data((missing.body ?? "").utf8))
            #expect(errorBody.errorCode == 404000, "\(missing.target): \(missing.body ?? "")")
        }
        #expect(try await server.stop() == .exited(0))
    }

    /// The `GET /health` body.
    private struct HealthBody: Decodable, Equatable {
        var status: String
        var endpoint: String
    }

    /// The part of a DPS/IoT Hub error body this test checks.
    private struct ErrorBody: Decodable {
        var errorCode: Int
    }
}
