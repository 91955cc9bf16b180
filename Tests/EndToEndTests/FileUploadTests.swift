import Foundation
import Testing

/// What `python/file_upload_flow.py` reports.
struct FileUploadFlowReport: Decodable, Sendable {
    struct Refusal: Decodable, Sendable, Equatable {
        var status: Int?
        var code: String?
    }

    struct Notification: Decodable, Sendable, Equatable {
        var blobName: String
        var blobSizeInBytes: Int
        var blobUriEnds: Bool
    }

    struct Step: Decodable, Sendable {
        var ok: Bool
        var error: String?
        var blobName: String?
        var hostName: String?
        var sasHasSig: Bool?
        var etag: Bool?
        var matches: Bool?
        var size: Int?
        var propertiesSize: Int?
        var blobType: String?
        var downloadMatches: Bool?
        var notifications: [Notification]?
        var upload: Refusal?
        var read: Refusal?
        var whileValid: Refusal?
        var afterExpiry: Refusal?
        var uploadAfterExpiry: Refusal?
        var eleventhStatus: Int?
        var eleventhError: String?
        var sdkRefused: Bool?
        var afterRelease: Bool?
        var status: Int?
        var single: Refusal?
        var blocks: Refusal?
        var fitsMatches: Bool?
        var quietNotifications: Int?
        var grantStatus: Int?
        var blockStatuses: [Int]?
        var commitStatus: Int?
        var notifyStatus: Int?
        var queued: Int?
        var hostile: [String: [JSONScalar]]?
    }

    /// A status, error code or flag of `hostile`.
    enum JSONScalar: Decodable, Sendable, Equatable {
        case number(Int), text(String), flag(Bool), null

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if container.decodeNil() { self = .null }
            else if let flag = try? container.decode(Bool.self) { self = .flag(flag) }
            else if let number = try? container.decode(Int.self) { self = .number(number) }
            else { self = .text(try container.decode(String.self)) }
        }
    }

    var steps: [String: Step]
}

/// File upload as Azure's sample does it, with the unmodified azure-iot-device and azure-storage-blob against the
/// shard's own Blob endpoint on 443: a small file in one Put Blob, a larger one in blocks, the bytes on disk, the
/// file notifications, and the refusals (another blob's SAS, an expired SAS, an eleventh concurrent upload, a file
/// over the size limit); a shard with notifications off queues none.
@Suite("File upload", .timeLimit(.minutes(4)))
struct FileUploadTests {
    @Test("get_storage_info_for_blob, BlobClient.upload_blob (single and blocks), notify_blob_upload_status, refusals, CLI")
    func fileUpload() async throws {
        var addresses = ServerAddresses.unique()
        addresses.httpsPort = 443
        addresses.shardSettings = ["hub-2": ["fileUploadSasLifetimeSeconds: 2"],
                                   "hub-3": ["maxFileUploadBytes: 1024", "fileNotifications: false"]]
        let server = try await ServerProcess.start(addresses: addresses)
        let report = try await PythonRunner.run(
            "file_upload_flow.py", [server.dataFile("connection.json").path, server.dataDirectory.path],
            as: FileUploadFlowReport.self, timeout: .seconds(180))
        func step(_ name: String) throws -> FileUploadFlowReport.Step {
            let step = try #require(report.steps[name], "step \(name) missing")
            #expect(step.ok, "\(name): \(step.error ?? "")")
            return step
        }
        let small = try step("smallFile")
        #expect(small.blobName == "file-dev-1/logs/small.txt")
        #expect(small.hostName == addresses.shards[0].host)
        #expect(small.sasHasSig == true)
        #expect(small.etag == true)
        #expect(small.matches == true)
        let blocks = try step("blockFile")
        #expect(blocks.matches == true)
        #expect(blocks.propertiesSize == 300 * 1024 + 17)
        #expect(blocks.downloadMatches == true)
        #expect(blocks.blobType == "BlockBlob")
        let notified = try step("notified")
        #expect(notified.notifications == [
            .init(blobName: "file-dev-1/logs/small.txt", blobSizeInBytes: 1024, blobUriEnds: true),
            .init(blobName: "file-dev-1/images/big.bin", blobSizeInBytes: 300 * 1024 + 17, blobUriEnds: true),
        ])
        let cShape = try step("cSDKShape")
        #expect(cShape.grantStatus == 200)
        #expect(cShape.blockStatuses == [201, 201])
        #expect(cShape.commitStatus == 201)
        #expect(cShape.notifyStatus == 204)
        #expect(cShape.matches == true)
        #expect(cShape.queued == 1)
        let other = try step("otherBlob")
        #expect(other.upload == .init(status: 403, code: "AuthenticationFailed"))
        #expect(other.read == .init(status: 403, code: "AuthenticationFailed"))
        let expired = try step("expiredSAS")
        #expect(expired.whileValid == .init(status: 404, code: "BlobNotFound"))
        #expect(expired.afterExpiry == .init(status: 403, code: "AuthenticationFailed"))
        #expect(expired.uploadAfterExpiry == .init(status: 403, code: "AuthenticationFailed"))
        let limit = try step("concurrentLimit")
        #expect(limit.eleventhStatus == 403)
        #expect(limit.eleventhError == "ErrorCode:DeviceMaximumActiveFileUploadLimitExceeded")
        #expect(limit.sdkRefused == true)
        #expect(limit.afterRelease == true)
        #expect(try step("foreignDevice").status == 401)
        let sizeLimit = try step("sizeLimit")
        #expect(sizeLimit.single == .init(status: 413, code: "RequestBodyTooLarge"))
        #expect(sizeLimit.blocks == .init(status: 413, code: "RequestBodyTooLarge"))
        #expect(sizeLimit.fitsMatches == true)
        #expect(sizeLimit.quietNotifications == 0)
        let hostile = try #require(try step("hostile").hostile)
        func refused(_ status: Int, _ code: String) -> [FileUploadFlowReport.JSONScalar] { [.number(status), .text(code), .flag(true)] }
        #expect(hostile["noSAS"] == refused(403, "AuthenticationFailed"))
        #expect(hostile["traversal"] == refused(400, "InvalidUri"))
        #expect(hostile["noBlobType"] == refused(400, "MissingRequiredHeader"))
        #expect(hostile["badBlockId"] == refused(400, "InvalidQueryParameterValue"))
        #expect(hostile["badBlockList"] == refused(400, "InvalidXmlDocument"))
        #expect(hostile["unknownBlock"] == refused(400, "InvalidBlockList"))
        #expect(hostile["badComp"] == refused(400, "InvalidQueryParameterValue"))
        #expect(hostile["badRange"] == refused(416, "InvalidRange"))
        #expect(hostile["stillServing"] == [.number(206), .text("hello"), .text("bytes 0-4/1024")])

        // The operator's view: the files of hub-1 with their outcomes, and one file's bytes.
        let provisio = try TestEnvironment.provisioBinary()
        let dataDir = server.dataDirectory.path
        let listed = try await ChildProcess.run(provisio, ["files", "list", "--hub", "hub-1", "--data-dir", dataDir], timeout: .seconds(60))
        #expect(listed.status == .exited(0), "\(listed.stderr)")
        let lines = listed.stdout.split(separator: "\n").map { $0.split(separator: "\t").map(String.init) }
        #expect(lines.map { [$0[0], $0[1], $0[3]] } == [
            ["file-dev-1/c-sdk.txt", "40", "succeeded"], ["file-dev-1/images/big.bin", "\(300 * 1024 + 17)", "succeeded"],
            ["file-dev-1/logs/small.txt", "1024", "succeeded"],
        ])
        let fetched = try await ChildProcess.run(provisio, ["files", "get", "file-dev-1/logs/small.txt", "--hub", "hub-1", "--data-dir", dataDir],
                                                 timeout: .seconds(60))
        #expect(fetched.status == .exited(0), "\(fetched.stderr)")
        #expect(fetched.stdout == String(repeating: "hello from a device file upload\n", count: 32))
        let missing = try await ChildProcess.run(provisio, ["files", "get", "file-dev-1/none.txt", "--hub", "hub-1", "--data-dir", dataDir],
                                                 timeout: .seconds(60))
        #expect(missing.status == .exited(1))
    }
}
