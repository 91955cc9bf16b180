import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL

/// A client of one shard's service REST API over HTTPS, for tools: every request carries a fresh policy SAS token,
/// and the server certificate must chain to the given trust bundle and match the host (IP SAN for an address).
public struct HubServiceClient: Sendable {
    /// An HTTP answer.
    public struct Response: Sendable {
        /// Status code.
        public var status: Int
        /// Headers, names lower-cased.
        public var headers: [String: String]
        /// Body bytes.
        public var body: Data
    }

    /// The connection string's parts.
    public let connection: ServiceConnectionString
    private let tls: NIOSSLContext
    private let now: @Sendable () -> Date

    /// Creates a client trusting only the PEM certificates in `trustBundle`.
    public init(connection: ServiceConnectionString, trustBundle: String, now: @escaping @Sendable () -> Date = Date.init) throws {
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.trustRoots = .file(trustBundle)
        configuration.certificateVerification = .fullVerification
        configuration.minimumTLSVersion = .tlsv12
        do {
            tls = try NIOSSLContext(configuration: configuration)
        } catch {
            throw HubServiceClientError("cannot load the trust bundle \(trustBundle): \(error)")
        }
        self.connection = connection
        self.now = now
    }

    /// Sends one request (`path` with its query, e.g. `/devices/dev1?api-version=2021-04-12`) and returns the answer;
    /// throws when no answer arrives within `timeout`.
    public func send(_ method: String, _ path: String, body: Data? = nil, headers extra: [String: String] = [:],
                     timeout: Duration = .seconds(60)) async throws -> Response {
        var head = HTTPRequestHead(version: .http1_1, method: HTTPMethod(rawValue: method), uri: path)
        head.headers.add(name: "Host", value: connection.hostName)
        head.headers.add(name: "Authorization", value: connection.token(now: Int64(now().timeIntervalSince1970)))
        head.headers.add(name: "Accept", value: "application/json")
        head.headers.add(name: "Connection", value: "close")
        head.headers.add(name: "Content-Length", value: String(body?.count ?? 0))
        if body != nil { head.headers.add(name: "Content-Type", value: "application/json; charset=utf-8") }
        for (name, value) in extra { head.headers.replaceOrAdd(name: name, value: value) }
        let request = head
        return try await withThrowingTaskGroup(of: Response?.self) { group in
            group.addTask { try await exchange(request, body: body) }
            group.addTask {
                // The deadline of the race, not a wait for an event.
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let response = try await group.next() ?? nil else {
                throw HubServiceClientError("\(connection.hostName) did not answer \(method) \(Self.pathOnly(path)) within \(timeout)")
            }
            return response
        }
    }

    private func exchange(_ head: HTTPRequestHead, body: Data?) async throws -> Response {
        let connection = self.connection
        // No SNI for an address: NIOSSL then checks the certificate's IP SANs against the peer address.
        let serverName: String? = (try? SocketAddress(ipAddress: connection.host, port: connection.port)) == nil ? connection.host : nil
        let tls = self.tls
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: connection.host, port: connection.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName))
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw HubServiceClientError("cannot connect to \(connection.hostName): \(error)")
        }
        do {
            return try await roundTrip(head, body: body, on: channel)
        } catch let error as NIOSSLError {
            throw HubServiceClientError("TLS with \(connection.hostName) failed (is the trust bundle this installation's?): \(error)")
        }
    }

    private func roundTrip(_ head: HTTPRequestHead, body: Data?,
                           on channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>) async throws -> Response {
        let connection = self.connection
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(head))
            if let body { try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body)))) }
            try await outbound.write(.end(nil))
            var status = 0
            var headers: [String: String] = [:]
            var received = ByteBuffer()
            for try await part in inbound {
                switch part {
                case .head(let response):
                    status = Int(response.status.code)
                    for (name, value) in response.headers { headers[name.lowercased()] = value }
                case .body(let chunk):
                    received.writeImmutableBuffer(chunk)
                case .end:
                    return Response(status: status, headers: headers, body: Data(received.readableBytesView))
                }
            }
            throw HubServiceClientError("\(connection.hostName) closed the connection before answering")
        }
    }

    private static func pathOnly(_ path: String) -> String {
        String(path.prefix { $0 != "?" })
    }
}
