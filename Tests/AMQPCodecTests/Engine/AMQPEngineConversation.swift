import AMQPCodec
import NIOCore
import Testing

/// A client talking to the engine in a test: feeds headers and frames, keeps the clock, and reads the actions back.
struct AMQPEngineConversation {
    static let start = NIODeadline.uptimeNanoseconds(5_000_000_000)

    var machine: AMQPConnectionStateMachine
    var now = AMQPEngineConversation.start

    /// A machine with small limits so that windows, frames and sizes are easy to reach.
    init(_ configure: (inout AMQPConnectionConfiguration) -> Void = { _ in }) {
        var configuration = AMQPConnectionConfiguration(containerId: "provisio", maxFrameSize: 1024, channelMax: 7, handleMax: 15,
                                                        idleTimeoutMilliseconds: 10_000, incomingWindow: 8, maxMessageSize: 4096)
        configure(&configuration)
        machine = AMQPConnectionStateMachine(configuration: configuration, now: Self.start)
    }

    mutating func receive(_ inbound: AMQPInbound) -> [AMQPConnectionAction] {
        machine.received(inbound, now: now)
    }

    mutating func receive(_ performative: AMQPPerformative, channel: UInt16 = 1, payload: [UInt8] = []) -> [AMQPConnectionAction] {
        machine.received(.frame(.amqp(channel: channel, performative: performative, payload: ByteBuffer(bytes: payload))), now: now)
    }

    /// Plain AMQP header and an open (no SASL), as the C SDK with X.509 does; returns the server's open.
    @discardableResult
    mutating func open(maxFrameSize: UInt32? = 65_536, idleTimeOut: UInt32? = nil) -> AMQPOpen? {
        #expect(receive(.header(.amqp)) == [.send([.header(.amqp)])])
        let actions = receive(.open(AMQPOpen(containerId: "client", hostname: "hub", maxFrameSize: maxFrameSize, channelMax: 65_535,
                                             idleTimeOut: idleTimeOut)), channel: 0)
        guard case .open(let open)? = Self.performatives(actions).first else { return nil }
        return open
    }

    /// A session on `channel`; returns the server's begin.
    @discardableResult
    mutating func begin(channel: UInt16 = 1, incomingWindow: UInt32 = 100) -> AMQPBegin? {
        let actions = receive(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: incomingWindow, outgoingWindow: 100)), channel: channel)
        guard case .begin(let begin)? = Self.performatives(actions).first else { return nil }
        return begin
    }

    /// An attach from the peer; returns the request the application must answer.
    mutating func attach(handle: UInt32, peerRole: AMQPAttach.Role, channel: UInt16 = 1, address: String = "node",
                         initialDeliveryCount: UInt32? = nil) -> AMQPLinkRequest? {
        let attach = AMQPAttach(name: "link-\(handle)", handle: handle, role: peerRole, senderSettleMode: .mixed, receiverSettleMode: .first,
                                source: AMQPTerminus(address: peerRole == .receiver ? address : "client"),
                                target: AMQPTerminus(address: peerRole == .receiver ? "client" : address),
                                initialDeliveryCount: peerRole == .sender ? (initialDeliveryCount ?? 0) : nil)
        for action in receive(.attach(attach), channel: channel) {
            if case .attachRequested(let request) = action { return request }
        }
        return nil
    }

    /// Open, session 1, and an accepted link where the server sends (the peer is the receiver).
    mutating func serverSender(handle: UInt32 = 1) -> AMQPLinkID? {
        open()
        begin()
        guard let request = attach(handle: handle, peerRole: .receiver) else { return nil }
        _ = machine.acceptAttach(request)
        return request.id
    }

    /// Open, session 1, and an accepted link where the server receives, with `credit`.
    mutating func serverReceiver(handle: UInt32 = 1, credit: UInt32) -> AMQPLinkID? {
        open()
        begin()
        guard let request = attach(handle: handle, peerRole: .sender) else { return nil }
        _ = machine.acceptAttach(request, credit: credit)
        return request.id
    }

    /// A flow granting `credit` on `handle` with the peer's view of the delivery count.
    mutating func grant(_ credit: UInt32, handle: UInt32 = 1, deliveryCount: UInt32 = 0, drain: Bool = false, nextIncomingId: UInt32 = 0,
                        incomingWindow: UInt32 = 100) -> [AMQPConnectionAction] {
        receive(.flow(AMQPFlow(nextIncomingId: nextIncomingId, incomingWindow: incomingWindow, nextOutgoingId: 0, outgoingWindow: 100,
                               handle: handle, deliveryCount: deliveryCount, linkCredit: credit, drain: drain)))
    }

    // MARK: Reading actions

    static func outbound(_ actions: [AMQPConnectionAction]) -> [AMQPOutbound] {
        actions.flatMap { action -> [AMQPOutbound] in
            if case .send(let items) = action { return items }
            return []
        }
    }

    static func performatives(_ actions: [AMQPConnectionAction]) -> [AMQPPerformative] {
        outbound(actions).compactMap { item in
            if case .frame(.amqp(_, let performative?, _)) = item { return performative }
            return nil
        }
    }

    /// (channel, performative, payload) of every AMQP frame sent.
    static func frames(_ actions: [AMQPConnectionAction]) -> [(channel: UInt16, performative: AMQPPerformative?, payload: ByteBuffer)] {
        outbound(actions).compactMap { item in
            if case .frame(.amqp(let channel, let performative, let payload)) = item { return (channel, performative, payload) }
            return nil
        }
    }

    /// The error of the `close` sent, if one was.
    static func closeError(_ actions: [AMQPConnectionAction]) -> AMQPError?? {
        for case .close(let ending) in performatives(actions) { return .some(ending.error) }
        return nil
    }

    static func endError(_ actions: [AMQPConnectionAction]) -> AMQPError?? {
        for case .end(let ending) in performatives(actions) { return .some(ending.error) }
        return nil
    }

    static func detaches(_ actions: [AMQPConnectionAction]) -> [AMQPDetach] {
        performatives(actions).compactMap { if case .detach(let detach) = $0 { return detach }; return nil }
    }

    static func transfers(_ actions: [AMQPConnectionAction]) -> [AMQPTransfer] {
        performatives(actions).compactMap { if case .transfer(let transfer) = $0 { return transfer }; return nil }
    }

    static func flows(_ actions: [AMQPConnectionAction]) -> [AMQPFlow] {
        performatives(actions).compactMap { if case .flow(let flow) = $0 { return flow }; return nil }
    }

    static func deliveries(_ actions: [AMQPConnectionAction]) -> [AMQPIncomingDelivery] {
        actions.compactMap { if case .delivery(let delivery) = $0 { return delivery }; return nil }
    }

    static func closesConnection(_ actions: [AMQPConnectionAction]) -> Bool {
        actions.contains { if case .closeConnection = $0 { return true }; return false }
    }

    /// Encodes what the engine sent, as the frame encoder would, and returns each frame's size in bytes.
    static func encodedFrameSizes(_ actions: [AMQPConnectionAction]) -> [Int] {
        outbound(actions).compactMap { item in
            guard case .frame(let frame) = item else { return nil }
            var buffer = ByteBuffer()
            buffer.writeAMQPFrame(frame)
            return buffer.readableBytes
        }
    }
}
