import Foundation

/// Where the conformance suites' data lives: x509-limbo beside the clone, NIST PKITS inside the test venv.
enum ConformanceData {
    /// The package root, found from this source file.
    static let packageRoot = URL(fileURLWithPath: #filePath).resolvingSymlinksInPath()
        .deletingLastPathComponent()  // Conformance
        .deletingLastPathComponent()  // PKITests
        .deletingLastPathComponent()  // Tests
        .deletingLastPathComponent()

    /// `<root>/../shared/conformance/x509-limbo.json`.
    static var limboFile: URL {
        packageRoot.deletingLastPathComponent().appendingPathComponent("shared/conformance/x509-limbo.json")
    }

    /// The Python of the test venv: `$PROVISIO_PYTHON`, else `<root>/.venv/bin/python` (what `scripts/test` sets up).
    static var python: URL {
        if let configured = ProcessInfo.processInfo.environment["PROVISIO_PYTHON"], !configured.isEmpty {
            return URL(fileURLWithPath: configured)
        }
        return packageRoot.appendingPathComponent(".venv/bin/python")
    }

    /// `cryptography_vectors/x509/PKITS_data`, located by asking the venv's Python where the package is installed.
    static func pkitsDirectory() throws -> URL {
        let python = python
        guard FileManager.default.isExecutableFile(atPath: python.path) else {
            throw ConformanceDataError("no Python at \(python.path): run scripts/test, which creates the venv from scripts/requirements-e2e.txt, or set PROVISIO_PYTHON")
        }
        let process = Process()
        process.executableURL = python
        process.arguments = ["-c", "import cryptography_vectors, os; print(os.path.dirname(cryptography_vectors.__file__))"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = Pipe()
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let path = String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        guard process.terminationStatus == 0, !path.isEmpty else {
            throw ConformanceDataError("\(python.path) cannot import cryptography_vectors: `\(python.path) -m pip install -r scripts/requirements-e2e.txt` (cryptography_vectors==48.0.0)")
        }
        return URL(fileURLWithPath: path).appendingPathComponent("x509/PKITS_data")
    }
}

/// A conformance data set is missing.
struct ConformanceDataError: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}
