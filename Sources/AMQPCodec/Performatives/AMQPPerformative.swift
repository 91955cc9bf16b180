/// The body of an AMQP frame (OASIS part 2, 2.7).
public enum AMQPPerformative: Sendable, Hashable {
    case open(AMQPOpen)
    case begin(AMQPBegin)
    case attach(AMQPAttach)
    case flow(AMQPFlow)
    case transfer(AMQPTransfer)
    case disposition(AMQPDisposition)
    case detach(AMQPDetach)
    case end(AMQPEnding)
    case close(AMQPEnding)

    /// Reads a performative from its described list.
    public init(described value: AMQPValue) throws(AMQPCodecError) {
        guard let code = value.descriptorCode, let list = value.described?.value else {
            throw .unexpected("a frame body is not a described performative")
        }
        switch code {
        case AMQPOpen.descriptor: self = .open(try AMQPOpen(fields: list))
        case AMQPBegin.descriptor: self = .begin(try AMQPBegin(fields: list))
        case AMQPAttach.descriptor: self = .attach(try AMQPAttach(fields: list))
        case AMQPFlow.descriptor: self = .flow(try AMQPFlow(fields: list))
        case AMQPTransfer.descriptor: self = .transfer(try AMQPTransfer(fields: list))
        case AMQPDisposition.descriptor: self = .disposition(try AMQPDisposition(fields: list))
        case AMQPDetach.descriptor: self = .detach(try AMQPDetach(fields: list))
        case 0x17: self = .end(try AMQPEnding("end", fields: list))
        case 0x18: self = .close(try AMQPEnding("close", fields: list))
        default: throw .unexpected("unknown performative 0x\(String(code, radix: 16))")
        }
    }

    /// The described list, every field present (pyamqp reads fields by position).
    public var described: AMQPValue {
        switch self {
        case .open(let open): .describedList(AMQPOpen.descriptor, open.fields)
        case .begin(let begin): .describedList(AMQPBegin.descriptor, begin.fields)
        case .attach(let attach): .describedList(AMQPAttach.descriptor, attach.fields)
        case .flow(let flow): .describedList(AMQPFlow.descriptor, flow.fields)
        case .transfer(let transfer): .describedList(AMQPTransfer.descriptor, transfer.fields)
        case .disposition(let disposition): .describedList(AMQPDisposition.descriptor, disposition.fields)
        case .detach(let detach): .describedList(AMQPDetach.descriptor, detach.fields)
        case .end(let end): .describedList(0x17, end.fields)
        case .close(let close): .describedList(0x18, close.fields)
        }
    }

    /// The performative's name, for logs and errors.
    public var name: String {
        switch self {
        case .open: "open"
        case .begin: "begin"
        case .attach: "attach"
        case .flow: "flow"
        case .transfer: "transfer"
        case .disposition: "disposition"
        case .detach: "detach"
        case .end: "end"
        case .close: "close"
        }
    }
}
