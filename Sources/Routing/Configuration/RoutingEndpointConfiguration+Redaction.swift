import Foundation

/// A webhook endpoint carries secrets: header values (bearer tokens, API keys) and URL parts (a userinfo password,
/// query values such as `sig=` or `code=`). Readers below the owner policy get `redacted`, and every way Swift turns an
/// endpoint into text (`"\(endpoint)"`, `String(reflecting:)`, `dump`, the reflection of a service that holds the
/// routing table) shows the redacted form, so no log line can carry them.
extension RoutingEndpointConfiguration: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// Text that replaces a secret.
    public static let redactedValue = "redacted"

    /// The endpoint with its header values and URL secrets replaced by `redacted`; header names, the URL's scheme,
    /// host, port and path stay, so the configuration remains readable.
    public var redacted: RoutingEndpointConfiguration {
        var copy = self
        copy.headers = headers.map { headers in headers.mapValues { _ in Self.redactedValue } }
        copy.url = url.map(Self.redactingURL)
        return copy
    }

    /// `url` with its password, query values and fragment replaced; text that is not an absolute URL is replaced
    /// whole, since nothing says which part of it is secret.
    public static func redactingURL(_ url: String) -> String {
        guard var components = URLComponents(string: url), components.scheme != nil, components.host != nil else { return redactedValue }
        if components.password != nil { components.password = redactedValue }
        if let items = components.queryItems, !items.isEmpty {
            components.queryItems = items.map { URLQueryItem(name: $0.name, value: $0.value == nil ? nil : redactedValue) }
        }
        if components.fragment != nil { components.fragment = redactedValue }
        return components.string ?? redactedValue
    }

    /// Name, kind, redacted URL and header names.
    public var description: String {
        let shown = redacted
        return "RoutingEndpointConfiguration(name: \(name), type: \(type.rawValue), url: \(shown.url ?? "-"), "
            + "headers: \((shown.headers ?? [:]).keys.sorted()))"
    }

    /// The same as `description`.
    public var debugDescription: String { description }

    /// A mirror of the redacted endpoint's identifying fields only.
    public var customMirror: Mirror {
        let shown = redacted
        return Mirror(self, children: ["name": name, "type": type.rawValue, "url": shown.url ?? "-",
                                       "headers": (shown.headers ?? [:]).keys.sorted()], displayStyle: .struct)
    }
}
