import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Routing
import Synchronization

/// Webhook requests over SwiftNIO: one HTTP/1.1 connection per request (`Connection: close`), TLS for `https` with
/// the system trust store or the endpoint's `trustBundle`, the host checked against the certificate (IP SANs for
/// an address).
public final class NIOWebhookTransport: WebhookTransport {
    private let contexts = Mutex<[String: NIOSSLContext]>([:])

    /// Creates a transport.
    public init() {}

    /// POSTs `body` and returns the status; throws when no answer arrives within `timeout`.
    public func post(url: URL, headers: [String: String], body: [UInt8], timeout: Duration, trustBundle: String?) async throws -> Int {
        guard let host = url.host, let scheme = url.scheme?.lowercased() else { throw WebhookTransportError("the url has no host") }
        let secure = scheme == "https"
        let port = url.port ?? (secure ? 443 : 80)
        let tls = secure ? try context(trustBundle: trustBundle) : nil
        var path = url.path.isEmpty ? "/" : url.path
        if let query = url.query { path += "?" + query }
        var head = HTTPRequestHead(version: .http1_1, method: .POST, uri: path)
        head.headers.add(name: "Host", value: url.port.map { "\(host):\($0)" } ?? host)
        head.headers.add(name: "User-Agent", value: "provisio-routing")
        head.headers.add(name: "Connection", value: "close")
        for (name, value) in headers { head.headers.replaceOrAdd(name: name, value: value) }
        head.headers.replaceOrAdd(name: "Content-Length", value: String(body.count))
        let request = head
        return try await withThrowingTaskGroup(of: Int?.self) { group in
            group.addTask { try await Self.exchange(request, body: body, host: host, port: port, tls: tls) }
            group.addTask {
                // The request's deadline, not a wait for an event.
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            guard let status = try await group.next() ?? nil else { throw WebhookTransportError("no answer within \(timeout)") }
            return status
        }
    }

    private func context(trustBundle: String?) throws -> NIOSSLContext {
        let key = trustBundle ?? ""
        if let cached = contexts.withLock({ $0[key] }) { return cached }
        var configuration = TLSConfiguration.makeClientConfiguration()
        configuration.minimumTLSVersion = .tlsv12
        configuration.certificateVerification = .fullVerification
        if let trustBundle { configuration.trustRoots = .file(trustBundle) }
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw WebhookTransportError("cannot load the trust bundle \(trustBundle ?? "(system)"): \(error)")
        }
        contexts.withLock { $0[key] = context }
        return context
    }

    private static func exchange(_ head: HTTPRequestHead, body: [UInt8], host: String, port: Int, tls: NIOSSLContext?) async throws -> Int {
        // No SNI for an address: NIOSSL then checks the certificate's IP SANs against the peer address.
        let serverName: String? = (try? SocketAddress(ipAddress: host, port: port)) == nil ? host : nil
        let channel: NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>
        do {
            channel = try await ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .connectTimeout(.seconds(10))
                .connect(host: host, port: port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        if let tls { try channel.pipeline.syncOperations.addHandler(try NIOSSLClientHandler(context: tls, serverHostname: serverName)) }
                        try channel.pipeline.syncOperations.addHTTPClientHandlers()
                        return try NIOAsyncChannel<HTTPClientResponsePart, HTTPClientRequestPart>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch {
            throw WebhookTransportError("cannot connect to \(host):\(port): \(error)")
        }
        return try await channel.executeThenClose { inbound, outbound in
            try await outbound.write(.head(head))
            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: body))))
            try await outbound.write(.end(nil))
            var status: Int?
            for try await part in inbound {
                switch part {
                case .head(let response): status = Int(response.status.code)
                case .body: continue
                case .end: if let status { return status }
                }
            }
            if let status { return status }
            throw WebhookTransportError("\(host):\(port) closed the connection before answering")
        }
    }
}

/// Why a webhook request got no HTTP answer; never carries header values.
public struct WebhookTransportError: Error, Sendable, CustomStringConvertible {
    /// What went wrong.
    public var description: String

    /// Creates an error.
    public init(_ description: String) { self.description = description }
}
