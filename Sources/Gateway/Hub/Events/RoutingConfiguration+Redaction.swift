import Foundation
import Routing

extension RoutingConfiguration {
    /// Text that replaces a secret in an answer.
    public static let redactedValue = "redacted"

    /// The configuration as a reader below the owner policy sees it: a webhook's header values (bearer tokens, API
    /// keys) and the secrets in its URL (userinfo password, query values such as `sig=` or `code=`) are replaced by
    /// `redacted`; header names, the URL's scheme, host, port and path stay, so routes remain readable. Only a policy
    /// that may also change the routing (`registryWrite`) reads the secrets, as it could set them anyway.
    public var redacted: RoutingConfiguration {
        var copy = self
        copy.endpoints = endpoints.map { endpoint in
            var endpoint = endpoint
            endpoint.headers = endpoint.headers.map { headers in headers.mapValues { _ in Self.redactedValue } }
            endpoint.url = endpoint.url.map(Self.redactingURL)
            return endpoint
        }
        return copy
    }

    /// `url` with its password and query values replaced; text that is not an absolute URL is replaced whole, since
    /// nothing says which part of it is secret.
    public static func redactingURL(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.scheme != nil, components.host != nil else { return redactedValue }
        if components.password != nil { components.password = redactedValue }
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { URLQueryItem(name: $0.name, value: $0.value == nil ? nil : redactedValue) }
        }
        if components.fragment != nil { components.fragment = redactedValue }
        return components.string ?? redactedValue
    }
}
