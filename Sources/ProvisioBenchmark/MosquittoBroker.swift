import Foundation
import NIOCore
import NIOPosix
import NIOSSL

/// A `mosquitto` started for the telemetry baseline: its own loopback address, a TLS listener with a certificate
/// from a CA made in code, anonymous clients, persistence on, in a scratch directory removed on ``stop()``.
final class MosquittoBroker {
    let host: String
    let port: Int
    /// The CA the listener's certificate chains to, for the client's trust roots.
    let trustRoot: NIOSSLCertificate
    let directory: URL
    private let process: SpawnedProcess

    /// The broker's process id, for CPU accounting.
    var pid: Int32 { process.pid }

    private init(host: String, port: Int, trustRoot: NIOSSLCertificate, directory: URL, process: SpawnedProcess) {
        self.host = host
        self.port = port
        self.trustRoot = trustRoot
        self.directory = directory
        self.process = process
    }

    /// Writes the configuration and certificates, starts the broker and waits until it accepts TCP connections.
    static func start(executable: String, host: String, port: Int) async throws -> MosquittoBroker {
        guard await !accepts(host: host, port: port) else {
            throw BenchmarkError("something already listens on \(host):\(port); pass --mosquitto-host/--mosquitto-port")
        }
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("provisio-bench-mosquitto-\(RunTag.make())")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let authority = try TestCertificateAuthority(commonName: "provisio-bench mosquitto CA")
        let server = try authority.issueServer(ipAddress: host)
        let certificate = directory.appendingPathComponent("server.pem")
        let key = directory.appendingPathComponent("server.key")
        let chainPEM = try server.certificatePEM() + "\n" + authority.root.certificatePEM() + "\n"
        try chainPEM.write(to: certificate, atomically: true, encoding: .utf8)
        try (server.keyPEM + "\n").write(to: key, atomically: true, encoding: .utf8)
        let persistence = directory.appendingPathComponent("data", isDirectory: true)
        try FileManager.default.createDirectory(at: persistence, withIntermediateDirectories: true)
        let configuration = directory.appendingPathComponent("mosquitto.conf")
        try """
            user root
            per_listener_settings false
            allow_anonymous true
            persistence true
            persistence_location \(persistence.path)/
            log_dest stderr
            log_type error
            log_type warning
            listener \(port) \(host)
            certfile \(certificate.path)
            keyfile \(key.path)

            """.write(to: configuration, atomically: true, encoding: .utf8)

        let log = directory.appendingPathComponent("mosquitto.log")
        let process = try SpawnedProcess(executable: try resolve(executable), arguments: ["-c", configuration.path], logPath: log.path)
        let broker = MosquittoBroker(host: host, port: port, trustRoot: try authority.root.sslCertificate(), directory: directory,
                                     process: process)
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            guard process.isRunning else {
                let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
                broker.stop()
                throw BenchmarkError("mosquitto exited at start: \(output.prefix(500))")
            }
            if await accepts(host: host, port: port) { return broker }
            try await Task.sleep(for: .milliseconds(100))
        }
        broker.stop()
        throw BenchmarkError("mosquitto did not listen on \(host):\(port) within 10 s")
    }

    /// Stops the broker and removes its directory.
    func stop() {
        process.stop()
        try? FileManager.default.removeItem(at: directory)
    }

    private static func accepts(host: String, port: Int) async -> Bool {
        do {
            let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(1))
                .connect(to: try SocketAddress(ipAddress: host, port: port)).get()
            try? await channel.close()
            return true
        } catch {
            return false
        }
    }

    private static func resolve(_ executable: String) throws -> String {
        if executable.contains("/") { return executable }
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        for directory in path.split(separator: ":") + ["/usr/sbin", "/usr/local/sbin"] {
            let candidate = "\(directory)/\(executable)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw BenchmarkError("\(executable) is not installed (apt-get install mosquitto), or pass --skip-mosquitto")
    }
}
