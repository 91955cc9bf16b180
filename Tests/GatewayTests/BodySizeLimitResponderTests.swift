@testable import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import NIOCore
import Testing

/// The 1 MiB request-body limit applies before routing, except to Blob writes, which stream under the shard's file limit.
@Suite struct BodySizeLimitResponderTests {
    static let limit = 1024

    /// A streaming route under the uploads container and one that collects its body, behind the limit.
    func application() -> some ApplicationProtocol {
        let router = Router()
        router.put("fileuploads/**") { request, _ -> String in
            var count = 0
            for try await part in request.body { count += part.readableBytes }
            return "\(count)"
        }
        router.put("twins/dev1") { request, _ -> String in
            "\(try await request.body.collect(upTo: Self.limit).readableBytes)"
        }
        return Application(responder: BodySizeLimitResponder(inner: router.buildResponder(), maximumBytes: Self.limit))
    }

    @Test func blobWritesStreamPastTheLimitOtherRequestsDoNot() async throws {
        let body = ByteBuffer(repeating: 0x61, count: 4 * Self.limit)
        try await application().test(.router) { client in
            let blob = try await client.execute(uri: "/fileuploads/dev1/big.bin?sv=2018-03-28&sr=b&sig=abc%3D&se=x&sp=rw",
                                                method: .put, body: body)
            #expect(blob.status == .ok)
            #expect(String(buffer: blob.body) == "\(4 * Self.limit)")

            let block = try await client.execute(uri: "/fileuploads/dev1/big.bin?comp=block&blockid=QUE%3D&sr=b&sig=abc",
                                                 method: .put, body: body)
            #expect(block.status == .ok, "SAS parameters after comp/blockid (the C SDK's order) count too")

            let unsigned = try await client.execute(uri: "/fileuploads/dev1/big.bin?sr=b", method: .put, body: body)
            #expect(unsigned.status == .contentTooLarge, "without a signature it is not a Blob write")

            let read = try await client.execute(uri: "/fileuploads/dev1/big.bin?sr=b&sig=abc", method: .post, body: body)
            #expect(read.status == .contentTooLarge, "only PUT is a Blob write")

            let other = try await client.execute(uri: "/twins/dev1", method: .put, body: body)
            #expect(other.status == .contentTooLarge)

            let disguised = try await client.execute(uri: "/twins/dev1?sr=b&sig=abc", method: .put, body: body)
            #expect(disguised.status == .contentTooLarge, "a route that collects its body still stops at the limit")

            let small = try await client.execute(uri: "/twins/dev1", method: .put, body: ByteBuffer(repeating: 0x61, count: 10))
            #expect(String(buffer: small.body) == "10")
        }
    }
}
