import Foundation
import MQTTCodec
import Testing
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Start, stop, restart and refusal to start: what an operator or supervisor sees of `provisio serve`.
@Suite("Server lifecycle", .timeLimit(.minutes(3)))
struct LifecycleTests {
    @Test("After SIGTERM (exit 0) a restart on the same data directory keeps the ID scope, root and service keys")
    func restartKeepsIdentity() async throws {
        let dataDirectory = try TemporaryDirectory(prefix: "restart")
        let addresses = ServerAddresses.unique()
        let first = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let firstConnection = first.connection
        let firstRoot = try Data(contentsOf: first.dataFile("ca/root.cert.pem"))
        #expect(try await first.stop(signal: SIGTERM) == .exited(0), "stderr: \(first.stderrText)")

        let second = try await ServerProcess.start(addresses: addresses, dataDirectory: dataDirectory)
        let secondConnection = second.connection
        #expect(secondConnection.idScope == firstConnection.idScope)
        #expect(try Data(contentsOf: second.dataFile("ca/root.cert.pem")) == firstRoot)
        #expect(try Data(contentsOf: second.trustBundle) == firstRoot)
        #expect(secondConnection.dps.serviceConnectionString == firstConnection.dps.serviceConnectionString)
        #expect(secondConnection.hubs.map(\.serviceConnectionString) == firstConnection.hubs.map(\.serviceConnectionString))
        #expect(firstConnection.dps.serviceConnectionString.contains("SharedAccessKey="))

        // Not just files: the restarted listeners serve.
        let client = try await second.mqttClient("hub-1")
        try await client.send(.connect(MQTTConnect(clientIdentifier: "after-restart")))
        #expect(try await client.nextEvent() == .packet(.connAck(MQTTConnAck(returnCode: .notAuthorized))))
        #expect(try await second.stop() == .exited(0))
    }

    @Test("SIGINT exits 0; connection.json and the private keys are mode 0600")
    func sigintAndFileModes() async throws {
        let server = try await ServerProcess.start()
        #expect(try Self.permissions(of: server.dataFile("connection.json")) == 0o600)

        let keyDirectory = server.dataFile("keys")
        let keys = try FileManager.default.contentsOfDirectory(atPath: keyDirectory.path).filter { !$0.hasPrefix(".") }
        #expect(keys.count >= 2, "expected at least the root and issuing CA keys in \(keyDirectory.path), found \(keys)")
        for key in keys {
            #expect(try Self.permissions(of: keyDirectory.appendingPathComponent(key)) == 0o600, "keys/\(key)")
        }
        let tlsKeys = try FileManager.default.contentsOfDirectory(atPath: server.dataFile("tls").path).filter { $0.hasSuffix(".key.pem") }
        #expect(tlsKeys.count == server.endpoints.count, "one TLS key per endpoint: \(tlsKeys)")
        for key in tlsKeys {
            #expect(try Self.permissions(of: server.dataFile("tls/\(key)")) == 0o600, "tls/\(key)")
        }

        #expect(try await server.stop(signal: SIGINT) == .exited(0), "stderr: \(server.stderrText)")
    }

    @Test("A second server on the same addresses exits non-zero with 'address already in use'; the first keeps serving")
    func busyAddress() async throws {
        let addresses = ServerAddresses.unique()
        let first = try await ServerProcess.start(addresses: addresses)

        let second = try await ServerProcess.startExpectingFailure(addresses: addresses)
        #expect(second.status != .exited(0))
        #expect(second.stderr.contains("address already in use"), "stderr: \(second.stderr)")
        let named = addresses.endpoints.contains { second.stderr.contains("cannot listen on \($0.host):") }
        #expect(named, "the message should name the busy address: \(second.stderr)")

        #expect(!first.hasExited)
        let client = try await first.mqttClient("dps")
        try await client.send(.connect(MQTTConnect(clientIdentifier: "first-still-serving")))
        #expect(try await client.nextEvent() == .packet(.connAck(MQTTConnAck(returnCode: .notAuthorized))))
        #expect(try await first.stop() == .exited(0))
    }

    @Test("A second server on the same data directory exits non-zero with 'in use by another provisio'")
    func dataDirectoryInUse() async throws {
        let dataDirectory = try TemporaryDirectory(prefix: "locked")
        let first = try await ServerProcess.start(dataDirectory: dataDirectory)

        let second = try await ServerProcess.startExpectingFailure(addresses: .unique(), dataDirectory: dataDirectory)
        #expect(second.status != .exited(0))
        #expect(second.stderr.contains("in use by another provisio"), "stderr: \(second.stderr)")

        // The refused server must leave the running one's readiness file alone.
        let connection = try ServerConnection.load(from: first.dataFile("connection.json"))
        #expect(connection == first.connection)
        #expect(!first.hasExited)
        #expect(try await first.stop() == .exited(0))
    }

    /// The permission bits of a file.
    private static func permissions(of file: URL) throws -> Int {
        let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
        let mode = try #require(attributes[.posixPermissions] as? NSNumber, "no permissions for \(file.path)")
        return mode.intValue & 0o777
    }
}
