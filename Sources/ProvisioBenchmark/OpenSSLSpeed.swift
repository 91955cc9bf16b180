import Foundation

/// `openssl speed -seconds S ecdsap256` run in the same benchmark, as the reference for signing speed on this machine.
enum OpenSSLSpeed {
    /// ECDSA P-256 signatures per second (one core), from the `sign/s` column of the `nistp256` line.
    static func ecdsaP256SignaturesPerSecond(seconds: Int) throws -> Double {
        // Spawned with an empty signal mask: openssl speed times itself with SIGALRM, which this program's threads
        // block (Foundation's Process would pass that mask on and the measurement would never end).
        let log = FileManager.default.temporaryDirectory.appendingPathComponent("provisio-bench-openssl-\(RunTag.make()).log")
        defer { try? FileManager.default.removeItem(at: log) }
        guard let openssl = ["/usr/bin/openssl", "/usr/local/bin/openssl"].first(where: FileManager.default.isExecutableFile) else {
            throw BenchmarkError("openssl is not installed")
        }
        let process = try SpawnedProcess(executable: openssl, arguments: ["speed", "-seconds", "\(seconds)", "ecdsap256"],
                                         logPath: log.path)
        let status = process.waitForExit()
        let output = (try? String(contentsOf: log, encoding: .utf8)) ?? ""
        guard status == 0 else { throw BenchmarkError("openssl speed exited with \(status): \(output.suffix(300))") }
        guard let line = output.split(separator: "\n").last(where: { $0.contains("(nistp256)") }) else {
            throw BenchmarkError("openssl speed printed no nistp256 line: \(output.suffix(300))")
        }
        // "256 bits ecdsa (nistp256)   0.0000s   0.0001s  41234.5  13456.7": sign/s is the second number from the end.
        let numbers = line.split(separator: " ").compactMap { Double($0) }
        guard numbers.count >= 2 else { throw BenchmarkError("cannot read openssl speed's line: \(line)") }
        return numbers[numbers.count - 2]
    }
}

/// Runs the `openssl` command line.
enum OpenSSLCommand {
    /// Runs `openssl arguments` and returns its standard output; a non-zero exit is an error with its stderr.
    @discardableResult
    static func run(_ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["openssl"] + arguments
        let output = Pipe(), errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw BenchmarkError("openssl \(arguments.joined(separator: " ")) failed: \(String(decoding: errorData, as: UTF8.self).prefix(400))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}
