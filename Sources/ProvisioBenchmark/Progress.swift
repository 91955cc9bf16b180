import Foundation

/// Progress on stderr, so stdout stays the report.
func progress(_ message: String) {
    FileHandle.standardError.write(Data("[provisio-bench] \(message)\n".utf8))
}
