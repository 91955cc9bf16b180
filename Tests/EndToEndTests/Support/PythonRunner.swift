import Foundation

/// Runs a helper script from `Tests/EndToEndTests/python/` with the test Python and decodes its JSON result.
///
/// Scripts take their inputs as command-line arguments and print exactly one JSON document on stdout.
enum PythonRunner {
    /// Runs `script` with `arguments` and decodes stdout as `T`.
    ///
    /// Throws with the script's stderr if it exits non-zero, prints something that is not `T`, or
    /// runs longer than `timeout`.
    static func run<T: Decodable>(
        _ script: String, _ arguments: [String], as type: T.Type, timeout: Duration = .seconds(60)
    ) async throws -> T {
        let scriptFile = TestEnvironment.pythonScripts.appendingPathComponent(script)
        guard FileManager.default.fileExists(atPath: scriptFile.path) else {
            throw TestEnvironmentError("missing helper script \(scriptFile.path)")
        }
        let output = try await ChildProcess.run(
            try TestEnvironment.python(), [scriptFile.path] + arguments,
            // No __pycache__ in the source tree; unbuffered so a crash still shows what ran.
            environment: ["PYTHONDONTWRITEBYTECODE": "1", "PYTHONUNBUFFERED": "1"],
            timeout: timeout)
        guard output.status == .exited(0) else {
            throw TestEnvironmentError("""
                python \(script) \(arguments.joined(separator: " ")) failed (\(output.status)).
                stdout: \(output.stdout)
                stderr: \(output.stderr)
                """)
        }
        do {
            return try JSONDecoder().decode(T.self, from: Data(output.stdout.utf8))
        } catch {
            throw TestEnvironmentError("""
                python \(script) printed no valid \(T.self): \(error)
                stdout: \(output.stdout)
                stderr: \(output.stderr)
                """)
        }
    }
}
