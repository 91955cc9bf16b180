import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A keep-alive HTTPS/1.1 connection that sends one request at a time and returns whole responses.
final class HTTPSConnection: Sendable {
    let channel: any Channel
    /// `host:port`, sent as `Host`.
    let authority: String

    private init(channel: any Channel, authority: String) {
        self.channel = channel
        self.authority = authority
    }

    /// Connects and completes the TLS handshake.
    static func open(host: String, port: Int, tls: NIOSSLContext) async throws -> HTTPSConnection {
        let loop = MultiThreadedEventLoopGroup.singleton.next()
        let handshake = loop.makePromise(of: Void.self)
        let serverHostname = ClientTLS.serverHostname(for: host)
        let channel = try await ClientBootstrap(group: loop)
            .connectTimeout(.seconds(10))
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    let sync = channel.pipeline.syncOperations
                    try sync.addHandler(NIOSSLClientHandler(context: tls, serverHostname: serverHostname))
                    try sync.addHandler(TLSHandshakeWaiter(promise: handshake))
                    try sync.addHTTPClientHandlers()
                    try sync.addHandler(IdleStateHandler(readTimeout: .seconds(60)))
                    try sync.addHandler(IdleCloseHandler())
                    try sync.addHandler(HTTPExchangeHandler())
                }
            }
            .connect(to: try SocketAddress(ipAddress: host, port: port))
            .get()
        do {
            try await handshake.futureResult.get()
        } catch {
            try? await channel.close()
            throw BenchmarkError("TLS handshake with \(host):\(port) failed: \(error)")
        }
        return HTTPSConnection(channel: channel, authority: "\(host):\(port)")
    }

    /// Sends a request with a JSON body (or none) and waits for its response.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)] = [], json body: String? = nil) async throws -> HTTPReply {
        try await send(method, path, headers: headers, body: body.map { ByteBuffer(string: $0) },
                       contentType: body == nil ? nil : "application/json; charset=utf-8")
    }

    /// Sends a request with `body` as `contentType` and waits for its response.
    func send(_ method: HTTPMethod, _ path: String, headers: [(String, String)], body: ByteBuffer?, contentType: String?) async throws -> HTTPReply {
        var head = HTTPRequestHead(version: .http1_1, method: method, uri: path)
        head.headers.add(name: "Host", value: authority)
        head.headers.add(name: "User-Agent", value: "provisio-bench")
        for (name, value) in headers { head.headers.add(name: name, value: value) }
        if let contentType { head.headers.add(name: "Content-Type", value: contentType) }
        head.headers.add(name: "Content-Length", value: String(body?.readableBytes ?? 0))
        let reply = channel.eventLoop.makePromise(of: HTTPReply.self)
        // A write that never reaches the handler (closed channel) must still end the wait.
        channel.writeAndFlush(HTTPExchange(head: head, body: body, reply: reply)).whenFailure { reply.fail($0) }
        return try await reply.futureResult.get()
    }

    /// Closes the connection.
    func close() async {
        try? await channel.close()
    }
}
