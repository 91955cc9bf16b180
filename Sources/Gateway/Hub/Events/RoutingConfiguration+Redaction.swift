import Routing

extension RoutingConfiguration {
    /// The configuration as a reader below the owner policy sees it: every endpoint `redacted` (webhook header values
    /// and URL secrets replaced). Only a policy that may also change the routing (`registryWrite`) reads the secrets,
    /// as it could set them anyway.
    public var redacted: RoutingConfiguration {
        var copy = self
        copy.endpoints = endpoints.map(\.redacted)
        return copy
    }
}
