import Foundation

/// Finds what the end-to-end tests drive: the package, the `provisio` binary, Python and `openssl`.
enum TestEnvironment {
    /// The package root, found from this file's path (`<root>/Tests/EndToEndTests/Support/`).
    static let packageRoot: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()  // Support
        .deletingLastPathComponent()  // EndToEndTests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// The helper scripts in `Tests/EndToEndTests/python/`.
    static let pythonScripts: URL = packageRoot.appendingPathComponent("Tests/EndToEndTests/python", isDirectory: true)

    /// The `provisio` binary: `$PROVISIO_BINARY`, else next to the running test bundle, else `<root>/.build/debug/provisio`.
    static func provisioBinary() throws -> URL {
        var candidates: [String] = []
        if let configured = ProcessInfo.processInfo.environment["PROVISIO_BINARY"], !configured.isEmpty {
            candidates.append(configured)
        }
        if let testRunner = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") {
            candidates.append(URL(fileURLWithPath: testRunner).deletingLastPathComponent().appendingPathComponent("provisio").path)
        }
        candidates.append(packageRoot.appendingPathComponent(".build/debug/provisio").path)
        guard let found = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestEnvironmentError("""
                cannot find the provisio binary (looked at \(candidates.joined(separator: ", "))); \
                build it with `swift build --product provisio` or set PROVISIO_BINARY
                """)
        }
        return URL(fileURLWithPath: found)
    }

    /// The Python with the Azure SDKs and paho-mqtt: `$PROVISIO_PYTHON`, else `<root>/.venv/bin/python`.
    ///
    /// Missing Python is a test failure, not a skip: these tests are the interoperability evidence.
    static func python() throws -> URL {
        if let configured = ProcessInfo.processInfo.environment["PROVISIO_PYTHON"], !configured.isEmpty {
            guard FileManager.default.isExecutableFile(atPath: configured) else {
                throw TestEnvironmentError("PROVISIO_PYTHON=\(configured) is not an executable file")
            }
            return URL(fileURLWithPath: configured)
        }
        let venv = packageRoot.appendingPathComponent(".venv/bin/python")
        guard FileManager.default.isExecutableFile(atPath: venv.path) else {
            throw TestEnvironmentError("""
                no Python for the end-to-end tests: set PROVISIO_PYTHON, or create \(venv.path) with \
                `python3 -m venv .venv && .venv/bin/pip install azure-iot-device azure-iot-hub \
                azure-iothub-provisioningserviceclient paho-mqtt==1.6.1`
                """)
        }
        return venv
    }

    /// The `openssl` command from `PATH`.
    static func openssl() throws -> URL {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let directories = path.split(separator: ":").map(String.init) + ["/usr/bin", "/usr/local/bin"]
        guard let found = directories.map({ "\($0)/openssl" }).first(where: { FileManager.default.isExecutableFile(atPath: $0) }) else {
            throw TestEnvironmentError("cannot find openssl in PATH (\(path)); the certificate tests need it as an independent verifier")
        }
        return URL(fileURLWithPath: found)
    }

    /// Runs `openssl` with `arguments` and returns its output.
    static func runOpenSSL(_ arguments: [String], timeout: Duration = .seconds(60)) async throws -> ChildProcess.Output {
        try await ChildProcess.run(try openssl(), arguments, timeout: timeout)
    }
}
