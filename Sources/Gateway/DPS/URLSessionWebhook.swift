import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Provisioning

/// Posts custom-allocation requests over HTTP or HTTPS with Foundation's URL loading; non-2xx answers and
/// timeouts are failures.
public struct URLSessionWebhook: CustomAllocationWebhook {
    /// Creates the transport.
    public init() {}

    /// POSTs JSON and returns the 2xx body.
    public func post(url: URL, body: Data, timeout: Duration) async throws -> Data {
        var request = URLRequest(url: url)
        request.httpMethod = "POST"
        request.httpBody = body
        request.setValue("application/json; charset=utf-8", forHTTPHeaderField: "Content-Type")
        let seconds = Double(timeout.components.seconds) + Double(timeout.components.attoseconds) / 1e18
        request.timeoutInterval = seconds
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = seconds
        configuration.timeoutIntervalForResource = seconds
        let session = URLSession(configuration: configuration)
        defer { session.finishTasksAndInvalidate() }
        let (data, response) = try await session.data(for: request)
        guard let http = response as? HTTPURLResponse else {
            throw ProvisioningError.allocationFailed("custom allocation webhook gave no HTTP answer")
        }
        guard (200..<300).contains(http.statusCode) else {
            throw ProvisioningError.allocationFailed("custom allocation webhook answered HTTP \(http.statusCode)")
        }
        return data
    }
}
