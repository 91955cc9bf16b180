import Foundation

/// Runs `/usr/bin/openssl` as an independent oracle for what the PKI module produces.
enum OpenSSL {
    struct Result {
        var status: Int32
        var output: String
        var error: String
        var succeeded: Bool { status == 0 }
    }

    static let executable = URL(fileURLWithPath: "/usr/bin/openssl")

    /// Runs `openssl arguments…` to completion and captures stdout and stderr.
    static func run(_ arguments: [String]) throws -> Result {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // Outputs here are a few kilobytes, far below the pipe buffer, so reading one after the other cannot block.
        let output = stdout.fileHandleForReading.readDataToEndOfFile()
        let error = stderr.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(
            status: process.terminationStatus,
            output: String(decoding: output, as: UTF8.self),
            error: String(decoding: error, as: UTF8.self)
        )
    }

    /// `openssl verify -CAfile root -untrusted issuing [-purpose p] leaf`.
    static func verify(root: URL, issuing: URL, leaf: URL, purpose: String? = nil) throws -> Result {
        var arguments = ["verify", "-CAfile", root.path, "-untrusted", issuing.path]
        if let purpose { arguments += ["-purpose", purpose] }
        return try run(arguments + [leaf.path])
    }

    /// `openssl x509 -noout <options> -in file`.
    static func x509(_ file: URL, _ options: [String]) throws -> Result {
        try run(["x509", "-noout", "-in", file.path] + options)
    }

    /// The serial `openssl x509 -serial` prints, lowercased and without the `serial=` prefix.
    static func serial(of file: URL) throws -> String {
        let result = try x509(file, ["-serial"])
        return result.output.trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "serial=", with: "").lowercased()
    }
}
