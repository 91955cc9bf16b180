import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Writes files so a crash leaves either the old content or the new, never a torn file.
///
/// The data goes to a uniquely named temporary file in the same directory, created with the final mode (so a key
/// is never briefly world-readable), is fsynced, renamed over the target, and the directory is fsynced so the
/// rename itself survives power loss.
enum AtomicFileWriter {
    /// Writes `bytes` to `url` with POSIX `permissions`.
    static func write(_ bytes: [UInt8], to url: URL, permissions: mode_t) throws {
        let directory = url.deletingLastPathComponent()
        let suffix = (0..<8).map { _ in UInt8.random(in: 0...255) }.hexString
        let temporary = directory.appendingPathComponent(".\(url.lastPathComponent).\(suffix).tmp")
        let fd = open(temporary.path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, permissions)
        guard fd >= 0 else { throw failure("create", temporary) }
        var renamed = false
        defer { if !renamed { unlink(temporary.path) } }
        do {
            defer { close(fd) }
            // The umask may have narrowed the mode on creation; make it exact.
            guard fchmod(fd, permissions) == 0 else { throw failure("set permissions on", temporary) }
            try bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    let written = posixWrite(fd, buffer.baseAddress.map { $0 + offset }, buffer.count - offset)
                    if written < 0 {
                        if errno == EINTR { continue }
                        throw failure("write", temporary)
                    }
                    offset += written
                }
            }
            guard fsync(fd) == 0 else { throw failure("fsync", temporary) }
        }
        guard rename(temporary.path, url.path) == 0 else { throw failure("rename over", url) }
        renamed = true
        try syncDirectory(directory)
    }

    /// Creates `directory` (and parents) if needed and, when `permissions` is given, sets its mode to exactly that.
    static func ensureDirectory(_ directory: URL, permissions: mode_t?) throws {
        do {
            var attributes: [FileAttributeKey: Any] = [:]
            if let permissions { attributes[.posixPermissions] = NSNumber(value: permissions) }
            try FileManager.default.createDirectory(
                at: directory, withIntermediateDirectories: true, attributes: attributes
            )
        } catch {
            throw PKIError(code: .fileSystem, message: "could not create directory \(directory.path)")
        }
        if let permissions, chmod(directory.path, permissions) != 0 {
            throw failure("set permissions on", directory)
        }
    }

    private static func syncDirectory(_ directory: URL) throws {
        let fd = open(directory.path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { throw failure("open", directory) }
        defer { close(fd) }
        guard fsync(fd) == 0 else { throw failure("fsync", directory) }
    }

    private static func failure(_ action: String, _ url: URL) -> PKIError {
        let reason = String(cString: strerror(errno))
        return PKIError(code: .fileSystem, message: "could not \(action) \(url.path): \(reason)")
    }
}

/// POSIX `write(2)`, named apart so it is not confused with `AtomicFileWriter.write`.
private func posixWrite(_ fd: Int32, _ buffer: UnsafeRawPointer?, _ count: Int) -> Int {
    #if canImport(Darwin)
    return Darwin.write(fd, buffer, count)
    #elseif canImport(Musl)
    return Musl.write(fd, buffer, count)
    #else
    return Glibc.write(fd, buffer, count)
    #endif
}
