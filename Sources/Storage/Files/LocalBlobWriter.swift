#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Hub

/// A write into a temporary file that `commit` fsyncs and renames over the destination (then fsyncs the directory),
/// so a blob is either its old or its new bytes, even across a crash.
final class LocalBlobWriter: BlobWriter {
    let temporary: URL
    let destination: URL
    let containerName: String
    let blobName: String
    private var descriptor: Int32
    private(set) var bytesWritten: Int64 = 0

    init(temporary: URL, destination: URL, containerName: String, blobName: String) throws {
        self.temporary = temporary
        self.destination = destination
        self.containerName = containerName
        self.blobName = blobName
        descriptor = open(temporary.path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard descriptor >= 0 else { throw LocalBlobStore.failure("cannot create a staging file") }
    }

    deinit { if descriptor >= 0 { abort() } }

    func append(_ bytes: UnsafeRawBufferPointer) throws {
        guard var address = bytes.baseAddress else { return }
        var remaining = bytes.count
        while remaining > 0 {
            let written = write(descriptor, address, remaining)
            if written < 0 {
                if errno == EINTR { continue }
                throw LocalBlobStore.failure("cannot write a staging file")
            }
            remaining -= written
            address = address.advanced(by: written)
            bytesWritten += Int64(written)
        }
    }

    func commit() throws -> BlobProperties {
        guard fsync(descriptor) == 0 else { throw LocalBlobStore.failure("cannot fsync a staging file") }
        close(descriptor)
        descriptor = -1
        let directory = destination.deletingLastPathComponent()
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        guard rename(temporary.path, destination.path) == 0 else {
            unlink(temporary.path)
            throw LocalBlobStore.failure("cannot move a file into place")
        }
        LocalBlobStore.syncDirectory(directory)
        return BlobProperties(containerName: containerName, blobName: blobName, size: bytesWritten,
                              lastModified: LocalBlobStore.modificationDate(destination) ?? Date())
    }

    func abort() {
        if descriptor >= 0 { close(descriptor) }
        descriptor = -1
        unlink(temporary.path)
    }
}
