#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import AccessControl
import Foundation
import Hub

/// Uploaded files as local files: `{root}/{shard}/{container}/{blob name}` (blob names are validated path-like names),
/// staging files and blocks under `{root}/{shard}/.staging`, upload records as JSON under `{root}/{shard}/.uploads`.
/// Every write lands in a temporary file that is fsynced and renamed into place.
public struct LocalBlobStore: BlobStore, FileUploadLedger {
    /// The directory holding every shard's files.
    public let root: URL

    /// Creates the store under `root` (created on first write).
    public init(root: URL) {
        self.root = root
    }

    // MARK: Blobs

    public func beginWrite(shard: String, container: String, blob: String) throws -> any BlobWriter {
        try LocalBlobWriter(temporary: try temporaryFile(shard: shard), destination: blobURL(shard: shard, container: container, blob: blob),
                            containerName: container, blobName: blob)
    }

    public func beginBlock(shard: String, container: String, blob: String, blockId: String) throws -> any BlobWriter {
        try LocalBlobWriter(temporary: try temporaryFile(shard: shard),
                            destination: blockDirectory(shard: shard, container: container, blob: blob)
                                .appendingPathComponent(Self.hex(Array(blockId.utf8))),
                            containerName: container, blobName: blob)
    }

    public func stagedBytes(shard: String, container: String, blob: String) throws -> Int64 {
        let blocks = blockDirectory(shard: shard, container: container, blob: blob)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: blocks.path)) ?? []
        return names.reduce(Int64(0)) { $0 + (Self.size(blocks.appendingPathComponent($1)) ?? 0) }
    }

    public func commitBlocks(shard: String, container: String, blob: String, blockIds: [String], maximumBytes: Int64) throws -> BlobProperties {
        let blocks = blockDirectory(shard: shard, container: container, blob: blob)
        let files = blockIds.map { blocks.appendingPathComponent(Self.hex(Array($0.utf8))) }
        var total: Int64 = 0
        for file in files {
            guard let size = Self.size(file) else { throw BlobStorageError.invalidBlockList() }
            total += size
        }
        guard total <= maximumBytes else { throw BlobStorageError.tooLarge(maximumBytes) }
        let writer = try beginWrite(shard: shard, container: container, blob: blob)
        do {
            for file in files {
                try Self.copy(file, into: writer)
            }
            let properties = try writer.commit()
            try? FileManager.default.removeItem(at: blocks)
            return properties
        } catch {
            writer.abort()
            throw error
        }
    }

    public func properties(shard: String, container: String, blob: String) throws -> BlobProperties? {
        let url = blobURL(shard: shard, container: container, blob: blob)
        guard let size = Self.size(url), let modified = Self.modificationDate(url) else { return nil }
        return BlobProperties(containerName: container, blobName: blob, size: size, lastModified: modified)
    }

    public func read(shard: String, container: String, blob: String, offset: Int64, length: Int) throws -> [UInt8] {
        let descriptor = open(blobURL(shard: shard, container: container, blob: blob).path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BlobStorageError.blobNotFound() }
        defer { close(descriptor) }
        var bytes = [UInt8](repeating: 0, count: max(0, length))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return 0 }
                return pread(descriptor, base.advanced(by: filled), buffer.count - filled, off_t(offset) + off_t(filled))
            }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw Self.failure("cannot read a file") }
            if count == 0 { break }
            filled += count
        }
        return Array(bytes.prefix(filled))
    }

    public func list(shard: String, container: String) throws -> [BlobProperties] {
        let base = shardDirectory(shard).appendingPathComponent(container, isDirectory: true)
        guard let enumerator = FileManager.default.enumerator(at: base, includingPropertiesForKeys: [.isRegularFileKey]) else { return [] }
        let prefix = base.standardizedFileURL.path + "/"
        var blobs: [BlobProperties] = []
        for case let url as URL in enumerator {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
            let path = url.standardizedFileURL.path
            guard path.hasPrefix(prefix), let size = Self.size(url), let modified = Self.modificationDate(url) else { continue }
            blobs.append(BlobProperties(containerName: container, blobName: String(path.dropFirst(prefix.count)), size: size,
                                        lastModified: modified))
        }
        return blobs.sorted { $0.blobName < $1.blobName }
    }

    public func remove(shard: String, container: String, blob: String) throws {
        try? FileManager.default.removeItem(at: blobURL(shard: shard, container: container, blob: blob))
        try? FileManager.default.removeItem(at: blockDirectory(shard: shard, container: container, blob: blob))
    }

    // MARK: Upload records

    public func saveUpload(_ record: FileUploadRecord, shard: String) throws {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        let data = try encoder.encode(record)
        let writer = try LocalBlobWriter(temporary: try temporaryFile(shard: shard), destination: recordURL(shard: shard, record.correlationId),
                                         containerName: "", blobName: "")
        do {
            try data.withUnsafeBytes { try writer.append($0) }
            _ = try writer.commit()
        } catch {
            writer.abort()
            throw error
        }
    }

    public func upload(correlationId: String, shard: String) throws -> FileUploadRecord? {
        guard let data = try? Data(contentsOf: recordURL(shard: shard, correlationId)) else { return nil }
        return try Self.decodeRecord(data)
    }

    public func uploads(shard: String) throws -> [FileUploadRecord] {
        let directory = shardDirectory(shard).appendingPathComponent(".uploads", isDirectory: true)
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? []
        return try names.filter { $0.hasSuffix(".json") }.compactMap { name in
            guard let data = try? Data(contentsOf: directory.appendingPathComponent(name)) else { return nil }
            return try Self.decodeRecord(data)
        }.sorted { ($0.createdTime, $0.correlationId) < ($1.createdTime, $1.correlationId) }
    }

    public func removeUpload(correlationId: String, shard: String) throws {
        try? FileManager.default.removeItem(at: recordURL(shard: shard, correlationId))
    }

    // MARK: Layout

    func shardDirectory(_ shard: String) -> URL {
        root.appendingPathComponent(shard, isDirectory: true)
    }

    func blobURL(shard: String, container: String, blob: String) -> URL {
        blob.split(separator: "/").reduce(shardDirectory(shard).appendingPathComponent(container, isDirectory: true)) {
            $0.appendingPathComponent(String($1))
        }
    }

    /// Blocks of one blob, under a digest of its name (names can be longer than a file name may be).
    func blockDirectory(shard: String, container: String, blob: String) -> URL {
        let digest = SharedAccessKey(bytes: Array("provisio staged blocks".utf8)).sign(Array("\(container)/\(blob)".utf8))
        return shardDirectory(shard).appendingPathComponent(".staging/blocks/\(Self.hex(digest))", isDirectory: true)
    }

    func recordURL(shard: String, _ correlationId: String) -> URL {
        shardDirectory(shard).appendingPathComponent(".uploads/\(correlationId.lowercased()).json")
    }

    func temporaryFile(shard: String) throws -> URL {
        let directory = shardDirectory(shard).appendingPathComponent(".staging", isDirectory: true)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        return directory.appendingPathComponent("write-\(UUID().uuidString.lowercased())")
    }

    // MARK: Helpers

    static func copy(_ file: URL, into writer: any BlobWriter) throws {
        let descriptor = open(file.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { throw BlobStorageError.invalidBlockList() }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { raw -> Int in
                guard let base = raw.baseAddress else { return 0 }
                return systemRead(descriptor, base, raw.count)
            }
            if count < 0, errno == EINTR { continue }
            guard count >= 0 else { throw failure("cannot read a staged block") }
            if count == 0 { return }
            try buffer.withUnsafeBytes { try writer.append(UnsafeRawBufferPointer(rebasing: $0[0..<count])) }
        }
    }

    /// `read(2)` (the store's own `read` method shadows the name).
    static func systemRead(_ descriptor: Int32, _ buffer: UnsafeMutableRawPointer, _ count: Int) -> Int {
        #if canImport(Glibc)
        Glibc.read(descriptor, buffer, count)
        #else
        Darwin.read(descriptor, buffer, count)
        #endif
    }

    static func decodeRecord(_ data: Data) throws -> FileUploadRecord {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        guard let record = try? decoder.decode(FileUploadRecord.self, from: data) else {
            throw StorageError(.corruptRecord, "a file upload record is unreadable")
        }
        return record
    }

    static func size(_ url: URL) -> Int64? {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: url.path),
              attributes[.type] as? FileAttributeType == .typeRegular else { return nil }
        return (attributes[.size] as? NSNumber)?.int64Value
    }

    static func modificationDate(_ url: URL) -> Date? {
        (try? FileManager.default.attributesOfItem(atPath: url.path))?[.modificationDate] as? Date
    }

    static func syncDirectory(_ directory: URL) {
        let descriptor = open(directory.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return }
        fsync(descriptor)
        close(descriptor)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        bytes.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    }

    static func failure(_ message: String) -> StorageError {
        StorageError(.ioFailure, message)
    }
}
