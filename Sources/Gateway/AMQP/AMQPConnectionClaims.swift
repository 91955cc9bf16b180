import AccessControl
import Foundation

/// The tokens one AMQP connection has presented (CBS `put-token`, or the SASL PLAIN password) and what they allow:
/// a link needs a grant that covers its node's audience with its permission, and stays open only while one does.
struct AMQPConnectionClaims: Sendable {
    /// What a link on a node needs.
    struct Requirement: Sendable, Equatable {
        var audience: ClaimsAudience
        var permission: SharedAccessPermission
    }

    /// At most this many grants are kept per connection (a renewal replaces the grant of the same audience).
    static let maximumGrants = 64

    private(set) var grants: [ClaimsGrant] = []

    /// Adds a grant; one for the same principal and audience (a renewal) is replaced.
    mutating func add(_ grant: ClaimsGrant) {
        grants.removeAll { $0.principal == grant.principal && $0.audience == grant.audience }
        if grants.count >= Self.maximumGrants { grants.removeFirst() }
        grants.append(grant)
    }

    /// Drops expired grants.
    mutating func expire(now: Date) {
        grants.removeAll { $0.expiry <= now }
    }

    /// When the longest-lived unexpired grant meeting `requirement` expires; nil when none meets it.
    func expiry(of requirement: Requirement, now: Date) -> Date? {
        grants.filter { $0.expiry > now && Self.meets($0, requirement) }.map(\.expiry).max()
    }

    /// A policy grant meets a requirement its audience covers with the permission; a device's own grant meets only
    /// the requirements of that very device or module (a device token does not act for its modules, nor they for it).
    private static func meets(_ grant: ClaimsGrant, _ requirement: Requirement) -> Bool {
        if case .device(let deviceId, let moduleId) = grant.principal {
            return requirement.audience == .device(deviceId: deviceId, moduleId: moduleId) && requirement.permission == .deviceConnect
        }
        return grant.audience.covers(requirement.audience) && grant.permits(requirement.permission)
    }

    /// Drops the grants of one device or module (its credential lapsed: disabled, deleted, re-keyed or revoked).
    mutating func revoke(deviceId: String, moduleId: String?) {
        grants.removeAll { $0.principal == .device(deviceId: deviceId, moduleId: moduleId) }
    }

    /// What a link on `node` needs; nil for the nodes every connection may use (`$cbs`) or that do not exist.
    static func requirement(for node: AMQPNodeAddress) -> Requirement? {
        switch node {
        case .claimsBasedSecurity, .unknown:
            nil
        case .management, .hubEventsRedirect:
            Requirement(audience: .eventHub(consumerGroup: nil), permission: .serviceConnect)
        case .eventHubsPartition(_, let consumerGroup, _):
            Requirement(audience: .eventHub(consumerGroup: consumerGroup), permission: .serviceConnect)
        case .cloudToDevice, .feedback, .fileNotifications:
            Requirement(audience: .hub, permission: .serviceConnect)
        case .device(let node):
            Requirement(audience: .device(deviceId: node.identity.deviceId, moduleId: node.identity.moduleId), permission: .deviceConnect)
        }
    }
}
