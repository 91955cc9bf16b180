/// The node a DPS AMQP link names: `{scope}/registrations/{reg}`, bare or as `amqps://{host}[:port]/…`, the keyword
/// `registrations` in any case.
struct DPSAMQPNode: Equatable {
    var idScope: String
    var registrationId: String

    /// The node of `address`, or nil for anything else.
    init?(_ address: String) {
        let segments = AMQPNodeAddress.path(of: address).split(separator: "/", omittingEmptySubsequences: true)
        guard segments.count == 3, segments[1].lowercased() == "registrations" else { return nil }
        idScope = String(segments[0])
        registrationId = String(segments[2])
    }

    /// The SASL user names (PLAIN authcid, TPM hostname) spell the node without a host: `{scope}/registrations/{reg}`.
    init?(user: String) {
        guard !user.lowercased().hasPrefix("amqp") else { return nil }
        self.init(user)
    }
}
