import AMQPCodec
import Synchronization

/// Set from another connection when a receiver with a higher owner level takes this link's partition; the link's
/// connection sees it on its next tick and detaches the link with `amqp:link:stolen`.
final class AMQPDisplacement: Sendable {
    /// The displaced link.
    let id: AMQPLinkID
    private let flag = Atomic<Bool>(false)

    /// Creates the flag of link `id`.
    init(id: AMQPLinkID) {
        self.id = id
    }

    /// Marks the link displaced (called by `PartitionOwnership`).
    var signal: @Sendable () -> Void {
        { self.flag.store(true, ordering: .releasing) }
    }

    /// Whether the link was displaced.
    var isSet: Bool { flag.load(ordering: .acquiring) }
}
