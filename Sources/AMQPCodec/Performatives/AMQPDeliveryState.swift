/// The state or outcome of a delivery (OASIS part 3, 3.4 and 2.7.x): what a disposition or transfer carries.
public enum AMQPDeliveryState: Sendable, Hashable {
    case received(sectionNumber: UInt32, sectionOffset: UInt64)
    case accepted
    case rejected(AMQPError?)
    case released
    case modified(deliveryFailed: Bool, undeliverableHere: Bool, messageAnnotations: AMQPMap?)

    /// Reads a state from its described list.
    public init(described value: AMQPValue) throws(AMQPCodecError) {
        guard let code = value.descriptorCode, let list = value.described?.value else { throw .unexpected("a delivery state is not described") }
        switch code {
        case 0x23:
            let fields = try AMQPFieldList("received", list)
            self = .received(sectionNumber: try fields.required(0, "section-number") { $0.uint32 },
                             sectionOffset: try fields.required(1, "section-offset") { $0.unsignedInteger })
        case 0x24: self = .accepted
        case 0x25:
            let fields = try AMQPFieldList("rejected", list)
            self = .rejected(fields[0].isNull ? nil : try AMQPError(described: fields[0]))
        case 0x26: self = .released
        case 0x27:
            let fields = try AMQPFieldList("modified", list)
            self = .modified(deliveryFailed: try fields.bool(0, "delivery-failed") ?? false,
                             undeliverableHere: try fields.bool(1, "undeliverable-here") ?? false,
                             messageAnnotations: try fields.map(2, "message-annotations"))
        default:
            throw .unexpected("unknown delivery state 0x\(String(code, radix: 16))")
        }
    }

    /// The described list.
    public var described: AMQPValue {
        switch self {
        case .received(let number, let offset): .describedList(0x23, [.uint(number), .ulong(offset)])
        case .accepted: .describedList(0x24, [])
        case .rejected(let error): .describedList(0x25, [error?.described ?? .null])
        case .released: .describedList(0x26, [])
        case .modified(let failed, let undeliverable, let annotations):
            .describedList(0x27, [.bool(failed), .bool(undeliverable), annotations.amqp])
        }
    }

    /// Whether this is a terminal outcome (everything but `received`).
    public var isOutcome: Bool {
        if case .received = self { return false }
        return true
    }
}
