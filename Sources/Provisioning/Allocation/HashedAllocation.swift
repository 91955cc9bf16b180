import Crypto
import Foundation

/// Weighted rendezvous hashing of the registration id: even (by weight), and stable — a device lands on the
/// same hub while the hub set is unchanged, and only devices of a removed hub move.
public struct HashedAllocation: AllocationPolicy {
    /// Creates the policy.
    public init() {}

    /// Picks the highest-scoring candidate.
    public func allocate(_ request: AllocationRequest) async throws -> AllocationDecision {
        AllocationDecision(hub: try Self.choose(registrationId: request.device.registrationId, among: request.candidates))
    }

    /// The hub with the highest score `-weight / ln(u)`, `u` uniform in (0, 1) from SHA-256(hub, registration id).
    public static func choose(registrationId: String, among candidates: [HubDescriptor]) throws -> HubDescriptor {
        let key = registrationId.lowercased()
        var best: (hub: HubDescriptor, score: Double)?
        for hub in candidates {
            let digest = Array(SHA256.hash(data: Array("\(hub.name)\u{0}\(key)".utf8)))
            let bits = digest.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
            let uniform = (Double(bits >> 11) + 0.5) / 9_007_199_254_740_992.0
            let score = -Double(max(hub.weight, 1)) / log(uniform)
            if best == nil || score > best!.score || (score == best!.score && hub.name < best!.hub.name) {
                best = (hub, score)
            }
        }
        guard let best else { throw ProvisioningError.allocationFailed("no hub to allocate to") }
        return best.hub
    }
}

/// Exactly one hub, named by the enrollment.
public struct StaticAllocation: AllocationPolicy {
    /// Creates the policy.
    public init() {}

    /// Fails unless exactly one candidate remains.
    public func allocate(_ request: AllocationRequest) async throws -> AllocationDecision {
        guard request.candidates.count == 1, let hub = request.candidates.first else {
            throw ProvisioningError.allocationFailed("static allocation needs exactly one hub in the enrollment")
        }
        return AllocationDecision(hub: hub)
    }
}

/// The lowest-latency hub; ties (and hubs without a latency) go to the weighted hash.
public struct GeoLatencyAllocation: AllocationPolicy {
    /// Creates the policy.
    public init() {}

    /// Picks among the hubs with the lowest latency.
    public func allocate(_ request: AllocationRequest) async throws -> AllocationDecision {
        let latencies = request.candidates.map { $0.latencyMilliseconds ?? .infinity }
        let lowest = latencies.min() ?? .infinity
        let fastest = zip(request.candidates, latencies).filter { $0.1 == lowest }.map(\.0)
        return AllocationDecision(hub: try HashedAllocation.choose(registrationId: request.device.registrationId, among: fastest))
    }
}
