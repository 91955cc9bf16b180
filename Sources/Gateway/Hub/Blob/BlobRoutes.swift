import Foundation
import Hub
import Hummingbird
import HTTPTypes

/// The part of the Azure Blob REST API that azure-storage-blob 12.x and the C SDK use to upload and read a device's
/// file, served by the shard at `https://{host}/{container}/{blob}?{SAS}`: Put Blob (`x-ms-blob-type: BlockBlob`),
/// Put Block (`comp=block&blockid=`), Put Block List (`comp=blocklist`), Get Blob (with `x-ms-range`) and Get Blob
/// Properties (HEAD). Every request carries the SAS `FileUploads` issued; writes answer 201, as the SDK requires.
public enum BlobRoutes {
    /// The storage service version Provisio answers with.
    static let serviceVersion = "2018-03-28"
    /// Bytes read from the store per response chunk.
    static let readChunk = 1 << 20

    /// Adds the routes for the uploads' container.
    public static func add(to router: Router<ProvisioRequestContext>, uploads: FileUploads) {
        let routes = router.group().add(middleware: BlobErrorMiddleware())
        let path = RouterPath("\(uploads.settings.containerName)/**")
        routes.put(path) { request, _ in try await put(request, uploads: uploads) }
        routes.get(path) { request, _ in try read(request, uploads: uploads, body: true) }
        routes.head(path) { request, _ in try read(request, uploads: uploads, body: false) }
    }

    /// Which SAS a request needs: the blob SAS of a device upload, or a container SAS (import and export jobs' containers).
    enum Access: Sendable {
        case deviceUpload
        case container
    }

    /// Container, blob name (percent-decoded: the C SDK sends `%2f`) and decoded query parameters of a request.
    static func target(_ request: Request, uploads: FileUploads, access: Access = .deviceUpload) throws
        -> (container: String, blob: String, query: [String: String]) {
        let container: String
        switch access {
        case .deviceUpload: container = uploads.settings.containerName
        case .container:
            container = request.uri.path.split(separator: "/").first.map(String.init) ?? ""
            guard (try? FileUploads.validate(container: container)) != nil else {
                throw BlobStorageError.invalidInput("InvalidResourceName", "The specifed resource name contains invalid characters.")
            }
        }
        let prefix = "/\(container)/"
        guard request.uri.path.hasPrefix(prefix), let blob = String(request.uri.path.dropFirst(prefix.count)).removingPercentEncoding else {
            throw BlobStorageError.invalidInput("InvalidUri", "The requested URI does not represent a blob.")
        }
        do {
            try FileUploads.validate(name: blob)
        } catch {
            throw BlobStorageError.invalidInput("InvalidUri", "The requested URI does not represent a valid blob name.")
        }
        var query: [String: String] = [:]
        for pair in (request.uri.query ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            guard let key = parts[0].removingPercentEncoding, let value = (parts.count > 1 ? String(parts[1]) : "").removingPercentEncoding else {
                throw BlobStorageError.invalidInput("InvalidQueryParameterValue", "The query is not valid percent-encoding.")
            }
            query[key] = value
        }
        return (container, blob, query)
    }

    static func put(_ request: Request, uploads: FileUploads, access: Access = .deviceUpload) async throws -> Response {
        let (container, blob, query) = try target(request, uploads: uploads, access: access)
        try authorize(uploads, access, container: container, blob: blob, query: query, permission: "w")
        let store = uploads.store
        let shard = uploads.shard.name
        let maximum = uploads.settings.maximumFileBytes
        switch query["comp"] {
        case "block"?:
            guard let blockId = query["blockid"], let decoded = Data(base64Encoded: blockId), !decoded.isEmpty, decoded.count <= 64 else {
                throw BlobStorageError.invalidInput("InvalidQueryParameterValue", "blockid must be base64 of at most 64 bytes.")
            }
            // Staged blocks count against the file limit, so a SAS cannot stage more than one file's worth.
            let staged = try store.stagedBytes(shard: shard, container: container, blob: blob)
            guard staged < maximum else { throw BlobStorageError.tooLarge(maximum) }
            _ = try await receive(request, into: try store.beginBlock(shard: shard, container: container, blob: blob, blockId: blockId),
                                  maximum: maximum - staged)
            return created(nil)
        case "blocklist"?:
            try checkOverwrite(request, store: store, shard: shard, container: container, blob: blob)
            let body = try await request.body.collect(upTo: ProvisioRequestContext.maximumBodyBytes)
            let ids = try BlockListDocument.blockIds(String(decoding: body.readableBytesView, as: UTF8.self))
            return created(try await BlockingFileWork.run {
                try store.commitBlocks(shard: shard, container: container, blob: blob, blockIds: ids, maximumBytes: maximum)
            })
        case nil:
            guard let type = request.headers[.msBlobType] else {
                throw BlobStorageError.invalidInput("MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified: x-ms-blob-type.")
            }
            guard type == "BlockBlob" else {
                throw BlobStorageError.invalidInput("InvalidHeaderValue", "Only BlockBlob uploads are supported.")
            }
            try checkOverwrite(request, store: store, shard: shard, container: container, blob: blob)
            if let length = request.headers[.contentLength].flatMap({ Int64($0) }), length > maximum {
                throw BlobStorageError.tooLarge(maximum)
            }
            let properties = try await receive(request, into: try store.beginWrite(shard: shard, container: container, blob: blob),
                                               maximum: maximum)
            return created(properties)
        case let other?:
            throw BlobStorageError.invalidInput("InvalidQueryParameterValue", "comp=\(other) is not supported.")
        }
    }

    /// Streams the body into `writer` (never more than `maximum` bytes) and commits it.
    static func receive(_ request: Request, into writer: any BlobWriter, maximum: Int64) async throws -> BlobProperties {
        do {
            for try await buffer in request.body {
                guard Int64(buffer.readableBytes) <= maximum - writer.bytesWritten else { throw BlobStorageError.tooLarge(maximum) }
                try buffer.withUnsafeReadableBytes { try writer.append($0) }
            }
            return try await BlockingFileWork.run { try writer.commit() }
        } catch {
            writer.abort()
            throw error
        }
    }

    /// `If-None-Match: *` (azure-storage-blob's default `overwrite=False`): a 409 when the blob exists.
    static func checkOverwrite(_ request: Request, store: any BlobStore, shard: String, container: String, blob: String) throws {
        guard request.headers[.ifNoneMatch]?.trimmingCharacters(in: .whitespaces) == "*" else { return }
        if try store.properties(shard: shard, container: container, blob: blob) != nil { throw BlobStorageError.blobAlreadyExists() }
    }

    static func created(_ properties: BlobProperties?) -> Response {
        var headers = standardHeaders(requestId: UUID().uuidString.lowercased())
        headers[.msRequestServerEncrypted] = "true"
        if let properties {
            headers[.eTag] = properties.etag
            headers[.lastModified] = DateFormatting.http(properties.lastModified)
        }
        headers[.contentLength] = "0"
        return Response(status: .created, headers: headers)
    }

    static func read(_ request: Request, uploads: FileUploads, body: Bool, access: Access = .deviceUpload) throws -> Response {
        let (container, blob, query) = try target(request, uploads: uploads, access: access)
        try authorize(uploads, access, container: container, blob: blob, query: query, permission: "r")
        let store = uploads.store
        let shard = uploads.shard.name
        guard let properties = try store.properties(shard: shard, container: container, blob: blob) else {
            throw BlobStorageError.blobNotFound()
        }
        var headers = standardHeaders(requestId: UUID().uuidString.lowercased())
        headers[.contentType] = "application/octet-stream"
        headers[.eTag] = properties.etag
        headers[.lastModified] = DateFormatting.http(properties.lastModified)
        headers[.acceptRanges] = "bytes"
        headers[.msBlobType] = "BlockBlob"
        headers[.msCreationTime] = DateFormatting.http(properties.lastModified)
        headers[.msLeaseState] = "available"
        headers[.msLeaseStatus] = "unlocked"
        headers[.msServerEncrypted] = "true"
        var (start, end) = (Int64(0), properties.size - 1)
        var status = HTTPResponse.Status.ok
        if body, let range = request.headers[.msRange] ?? request.headers[.range] {
            guard let (first, last) = byteRange(range, size: properties.size) else {
                throw HubError(status: 416, errorCode: 416_000, name: "InvalidRange", message: "The range specified is invalid for the current size of the resource.")
            }
            (start, end, status) = (first, last, .partialContent)
            headers[.contentRange] = "bytes \(first)-\(last)/\(properties.size)"
        }
        let length = max(0, end - start + 1)
        headers[.contentLength] = String(body ? length : properties.size)
        guard body, length > 0 else { return Response(status: status, headers: headers) }
        let (firstByte, lastByte) = (start, end)
        return Response(status: status, headers: headers, body: ResponseBody(contentLength: Int(length)) { writer in
            var offset = firstByte
            while offset <= lastByte {
                let chunk = try store.read(shard: shard, container: container, blob: blob, offset: offset,
                                           length: Int(min(Int64(readChunk), lastByte - offset + 1)))
                guard !chunk.isEmpty else { break }
                try await writer.write(ByteBuffer(bytes: chunk))
                offset += Int64(chunk.count)
            }
            try await writer.finish(nil)
        })
    }

    /// `bytes=a-b` or `bytes=a-` within `size`, clamped to the end; nil when unsatisfiable or malformed.
    static func byteRange(_ text: String, size: Int64) -> (Int64, Int64)? {
        guard text.hasPrefix("bytes=") else { return nil }
        let parts = text.dropFirst(6).split(separator: "-", maxSplits: 1, omittingEmptySubsequences: false)
        guard parts.count == 2, let first = Int64(parts[0]), first >= 0, first < size else { return nil }
        let last = parts[1].isEmpty ? size - 1 : Int64(parts[1]).map { min($0, size - 1) }
        guard let last, last >= first else { return nil }
        return (first, last)
    }

    /// Headers on every Blob API response.
    static func standardHeaders(requestId: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[.msRequestId] = requestId
        headers[.msVersion] = serviceVersion
        headers[.date] = DateFormatting.http(Date())
        return headers
    }

    /// `2026-12-05T12:00:00.0000000Z`, as Azure's error messages show time.
    static func isoTime(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: TimeZone(identifier: "UTC") ?? .current))
    }
}
