import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A fresh, private directory under the system temporary directory, removed with everything in it on `deinit`.
///
/// Whoever needs the directory to outlive a step (a server's data directory across a restart) keeps a reference.
final class TemporaryDirectory: Sendable {
    /// The directory.
    let url: URL

    /// Creates `<tmp>/provisio-e2e-<prefix>-XXXXXX` with mode 0700.
    init(prefix: String = "test") throws {
        let template = FileManager.default.temporaryDirectory
            .appendingPathComponent("provisio-e2e-\(prefix)-XXXXXX").path
        var bytes = Array(template.utf8CString)
        guard let created = bytes.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) else {
            throw TestEnvironmentError("cannot create a temporary directory from \(template): errno \(errno)")
        }
        url = URL(fileURLWithPath: String(cString: created), isDirectory: true)
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
    }

    /// A path inside the directory.
    func file(_ name: String) -> URL {
        url.appendingPathComponent(name)
    }
}
