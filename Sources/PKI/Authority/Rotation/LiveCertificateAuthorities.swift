import Foundation
import Synchronization
import X509

/// The CA generations a running server works with, swapped as a whole when a rotation, an activation or a
/// retirement happens: issuance asks for the hierarchy active now, device authentication for the issuing CAs that
/// still verify.
public final class LiveCertificateAuthorities: Sendable {
    private struct Snapshot: Sendable {
        var set: CAGenerationSet
        var hierarchies: [Int: CAHierarchy]
    }

    private let configuration: CAHierarchyConfiguration
    private let inventory: any CertificateInventory
    private let revocationEndpoints: RevocationEndpoints?
    private let snapshot: Mutex<Snapshot>

    /// Starts with `set`; issued certificates get CDP/AIA extensions for `revocationEndpoints` when it is set.
    public init(set: CAGenerationSet, configuration: CAHierarchyConfiguration, inventory: any CertificateInventory,
                revocationEndpoints: RevocationEndpoints?) throws {
        self.configuration = configuration
        self.inventory = inventory
        self.revocationEndpoints = revocationEndpoints
        snapshot = Mutex(try Self.snapshot(set, configuration: configuration, inventory: inventory, endpoints: revocationEndpoints))
    }

    /// The generations now held.
    public var set: CAGenerationSet { snapshot.withLock { $0.set } }

    /// The hierarchy of the generation active at `now`: what issues device and server certificates.
    public func hierarchy(at now: Date) -> CAHierarchy {
        snapshot.withLock { snapshot in
            // Every generation of the set has a hierarchy (built in `snapshot(_:)`).
            snapshot.hierarchies[snapshot.set.active(at: now).number]!
        }
    }

    /// The issuing CA certificates that still verify: anchors for device certificates Provisio issued.
    public var verifyingIssuingCertificates: [Certificate] {
        snapshot.withLock { $0.set.verifyingIssuingCertificates }
    }

    /// Replaces the generations (after a rotation or retirement seen in the store).
    public func replace(with set: CAGenerationSet) throws {
        let next = try Self.snapshot(set, configuration: configuration, inventory: inventory, endpoints: revocationEndpoints)
        snapshot.withLock { $0 = next }
    }

    private static func snapshot(_ set: CAGenerationSet, configuration: CAHierarchyConfiguration,
                                 inventory: any CertificateInventory, endpoints: RevocationEndpoints?) throws -> Snapshot {
        var hierarchies: [Int: CAHierarchy] = [:]
        for generation in set.generations {
            var hierarchy = try CAHierarchy(root: generation.root, issuing: generation.issuing,
                                            configuration: configuration, inventory: inventory)
            hierarchy.revocationEndpoints = endpoints
            hierarchies[generation.number] = hierarchy
        }
        return Snapshot(set: set, hierarchies: hierarchies)
    }
}
