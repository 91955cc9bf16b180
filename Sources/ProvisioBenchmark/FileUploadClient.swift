import Foundation
import NIOCore
import NIOHTTP1

/// A device's side of IoT Hub file upload over one keep-alive HTTPS connection to its shard, request for request as the
/// Azure SDKs send them: `POST /devices/{id}/files` for the blob SAS, the Blob REST API on the same host (Put Blob, or
/// Put Block × n and Put Block List), then `POST /devices/{id}/files/notifications`.
struct FileUploadClient: Sendable {
    /// The answer to `POST /devices/{id}/files`.
    struct Grant: Decodable, Sendable {
        var correlationId: String
        var hostName: String
        var containerName: String
        var blobName: String
        var sasToken: String

        /// Path and query of the blob, with the SAS: `/{container}/{blob}?sv=…`.
        var blobPath: String { "/\(containerName)/\(blobName)\(sasToken)" }
    }

    let connection: HTTPSConnection
    let device: ProvisionedDevice
    /// The device SDKs' API version for file upload.
    static let apiVersion = "2020-09-30"
    /// The storage service version azure-storage-blob 12 sends.
    static let storageVersion = "2021-08-06"

    private var authorization: [(String, String)] {
        [("Authorization", device.device.hubToken(hubHostName: device.hub.hostName))]
    }

    /// Asks the hub for a SAS to upload `name`.
    func initiate(name: String) async throws -> Grant {
        let reply = try await connection.send(.POST, "/devices/\(device.deviceId)/files?api-version=\(Self.apiVersion)",
                                              headers: authorization, json: #"{"blobName":"\#(name)"}"#)
        guard reply.status == 200 else { throw BenchmarkError("POST /files answered \(reply.status): \(reply.text.prefix(200))") }
        return try reply.decode(Grant.self)
    }

    /// Put Blob: the whole file in one request (what the SDK does up to `max_single_put_size`).
    func putBlob(_ grant: Grant, bytes: ByteBuffer) async throws {
        let reply = try await connection.send(.PUT, grant.blobPath, headers: [
            ("x-ms-blob-type", "BlockBlob"), ("x-ms-version", Self.storageVersion), ("If-None-Match", "*"),
        ], body: bytes, contentType: "application/octet-stream")
        guard reply.status == 201 else { throw BenchmarkError("Put Blob answered \(reply.status): \(reply.text.prefix(200))") }
    }

    /// Put Block: one staged block; `blockId` is already base64 (the SDK's is of a 48-digit decimal, so URL-safe).
    func putBlock(_ grant: Grant, blockId: String, bytes: ByteBuffer) async throws {
        let reply = try await connection.send(.PUT, "\(grant.blobPath)&comp=block&blockid=\(blockId)",
                                              headers: [("x-ms-version", Self.storageVersion)], body: bytes,
                                              contentType: "application/octet-stream")
        guard reply.status == 201 else { throw BenchmarkError("Put Block answered \(reply.status): \(reply.text.prefix(200))") }
    }

    /// Put Block List: commits the staged blocks in order.
    func putBlockList(_ grant: Grant, blockIds: [String]) async throws {
        let xml = "<?xml version='1.0' encoding='utf-8'?>\n<BlockList>" + blockIds.map { "<Latest>\($0)</Latest>" }.joined() + "</BlockList>"
        let reply = try await connection.send(.PUT, "\(grant.blobPath)&comp=blocklist", headers: [
            ("x-ms-version", Self.storageVersion), ("If-None-Match", "*"),
        ], body: ByteBuffer(string: xml), contentType: "application/xml")
        guard reply.status == 201 else { throw BenchmarkError("Put Block List answered \(reply.status): \(reply.text.prefix(200))") }
    }

    /// Reports a successful upload.
    func notify(_ grant: Grant) async throws {
        let reply = try await connection.send(
            .POST, "/devices/\(device.deviceId)/files/notifications?api-version=\(Self.apiVersion)", headers: authorization,
            json: #"{"correlationId":"\#(grant.correlationId)","isSuccess":true,"statusCode":201,"statusDescription":"OK"}"#)
        guard reply.status == 204 else { throw BenchmarkError("POST /files/notifications answered \(reply.status): \(reply.text.prefix(200))") }
    }

    /// The SDK's block id for block `index`: base64 of the number as a 48-digit zero-padded decimal.
    static func blockId(_ index: Int) -> String {
        let digits = String(index)
        return Data((String(repeating: "0", count: max(0, 48 - digits.count)) + digits).utf8).base64EncodedString()
    }
}
