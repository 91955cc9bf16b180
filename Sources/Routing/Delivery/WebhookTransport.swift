import Foundation

/// Sends one webhook request; the gateway implements it over HTTP(S). Any status is returned, transport failures thrown.
public protocol WebhookTransport: Sendable {
    /// POSTs `body` (JSON) to `url` with `headers`; returns the HTTP status. `trustBundle` is a PEM file of CAs to trust
    /// for `https` instead of the system store.
    func post(url: URL, headers: [String: String], body: [UInt8], timeout: Duration, trustBundle: String?) async throws -> Int
}
