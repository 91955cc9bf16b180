import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// Reads a shard's Server-Sent Events stream (`GET /events/stream`) for tools such as `provisio events tail`: every
/// `data:` payload (one event document) is handed to `onEvent` as it arrives.
public struct HubEventStreamClient: Sendable {
    let connection: ServiceConnectionString
    let trustBundle: String

    /// Creates a client for the shard in `connection`, trusting the PEM certificates in `trustBundle`.
    public init(connection: ServiceConnectionString, trustBundle: String) {
        self.connection = connection
        self.trustBundle = trustBundle
    }

    /// Streams `path` (with its query) until the server ends the stream or the task is cancelled.
    public func stream(_ path: String, onEvent: @Sendable (String) async throws -> Void) async throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(trustBundle)
        configuration.certificateVerification = .fullVerification
        let tls = try NIOSSLContext(configuration: configuration)
        let host = connection.host
        let serverName: String? = (try? SocketAddress(ipAddress: host, port: connection.port)) == nil ? host : nil
        var head = HTTPRequestHead(version: .http1_1, method: .GET, uri: path)
        head.headers.add(name: "Host", value: connection.hostName)
        head.headers.add(name: "Authorization", value: connection.token(now: Int64(Date().timeIntervalSince1970), lifetime: 86_400))
        head.headers.add(name: "Accept", value: "text/event-stream")
        let request = head
        let channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .connectTimeout(.seconds(10))
            .connect(host: host, port: connection.port) { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                    try channel.pipeline.syncOperations.addHTTPClientHandlers()
                    return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                }
            }
        try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(request))
            try await outbound.write(.end(nil))
            var pending = ""
            var failure: (status: Int, body: String)?
            for try await part in inbound {
                switch part {
                case .head(let response):
                    if response.status.code != 200 { failure = (Int(response.status.code), "") }
                case .body(let chunk):
                    let text = String(buffer: chunk)
                    if failure != nil { failure?.body += text; continue }
                    pending += text
                    while let end = pending.range(of: "\n\n") {
                        let message = pending[..<end.lowerBound]
                        pending = String(pending[end.upperBound...])
                        let data = message.split(separator: "\n").filter { $0.hasPrefix("data:") }
                            .map { $0.dropFirst(5).drop(while: { $0 == " " }) }.joined(separator: "\n")
                        if !data.isEmpty { try await onEvent(data) }
                    }
                case .end:
                    if let failure { throw HubServiceClientError("the hub answered HTTP \(failure.status): \(failure.body)") }
                    return
                }
            }
        }
    }
}
