import Foundation
import Hub
import Storage
import Testing

/// Uploaded files on local disk: single-shot and block writes land whole or not at all, blocks join in list order,
/// limits and missing blocks are refused, and upload records round-trip.
@Suite("Local blob store")
struct LocalBlobStoreTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("blobs-\(UUID().uuidString)", isDirectory: true)
    var store: LocalBlobStore { LocalBlobStore(root: root) }

    func write(_ writer: any BlobWriter, _ text: String) throws {
        try Array(text.utf8).withUnsafeBytes { try writer.append($0) }
    }

    @Test func singleShotWritesAreAtomic() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let aborted = try store.beginWrite(shard: "hub-1", container: "c", blob: "dev1/a.txt")
        try write(aborted, "never")
        aborted.abort()
        #expect(try store.properties(shard: "hub-1", container: "c", blob: "dev1/a.txt") == nil)
        let writer = try store.beginWrite(shard: "hub-1", container: "c", blob: "dev1/a.txt")
        try write(writer, "hello ")
        try write(writer, "world")
        let properties = try writer.commit()
        #expect(properties.size == 11)
        #expect(try store.read(shard: "hub-1", container: "c", blob: "dev1/a.txt", offset: 6, length: 100) == Array("world".utf8))
        #expect(try store.list(shard: "hub-1", container: "c").map(\.blobName) == ["dev1/a.txt"])
        #expect(try store.list(shard: "hub-2", container: "c").isEmpty)
    }

    @Test func blocksJoinInListOrder() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        for (id, text) in [("QQ==", "first "), ("Qg==", "second "), ("Qw==", "third")] {
            let block = try store.beginBlock(shard: "hub-1", container: "c", blob: "dev1/b.bin", blockId: id)
            try write(block, text)
            _ = try block.commit()
        }
        #expect(try store.properties(shard: "hub-1", container: "c", blob: "dev1/b.bin") == nil)
        #expect(try store.stagedBytes(shard: "hub-1", container: "c", blob: "dev1/b.bin") == 18)
        let tooSmall = #expect(throws: HubError.self) {
            try store.commitBlocks(shard: "hub-1", container: "c", blob: "dev1/b.bin", blockIds: ["QQ==", "Qg==", "Qw=="], maximumBytes: 10)
        }
        #expect(tooSmall?.status == 413)
        let missing = #expect(throws: HubError.self) {
            try store.commitBlocks(shard: "hub-1", container: "c", blob: "dev1/b.bin", blockIds: ["QQ==", "RA=="], maximumBytes: 100)
        }
        #expect(missing?.name == "InvalidBlockList")
        let properties = try store.commitBlocks(shard: "hub-1", container: "c", blob: "dev1/b.bin", blockIds: ["Qw==", "QQ=="],
                                                maximumBytes: 100)
        #expect(properties.size == 11)
        #expect(try store.read(shard: "hub-1", container: "c", blob: "dev1/b.bin", offset: 0, length: 100) == Array("thirdfirst ".utf8))
        // Committing drops the staged blocks.
        #expect(try store.stagedBytes(shard: "hub-1", container: "c", blob: "dev1/b.bin") == 0)
        #expect(throws: HubError.self) {
            try store.commitBlocks(shard: "hub-1", container: "c", blob: "dev1/b.bin", blockIds: ["Qg=="], maximumBytes: 100)
        }
    }

    @Test func uploadRecordsRoundTrip() throws {
        defer { try? FileManager.default.removeItem(at: root) }
        let created = Date(timeIntervalSince1970: 1_800_000_000)
        var record = FileUploadRecord(correlationId: UUID().uuidString.lowercased(), deviceId: "dev1", hostName: "127.0.0.2",
                                      containerName: "c", blobName: "dev1/a.txt", createdTime: created, expiryTime: created.addingTimeInterval(3600))
        try store.saveUpload(record, shard: "hub-1")
        record.status = .succeeded
        record.sizeInBytes = 11
        record.completedTime = created.addingTimeInterval(5)
        try store.saveUpload(record, shard: "hub-1")
        #expect(try store.upload(correlationId: record.correlationId, shard: "hub-1") == record)
        #expect(try store.uploads(shard: "hub-1") == [record])
        #expect(try store.upload(correlationId: record.correlationId, shard: "hub-2") == nil)
        try store.removeUpload(correlationId: record.correlationId, shard: "hub-1")
        #expect(try store.uploads(shard: "hub-1").isEmpty)
    }
}
