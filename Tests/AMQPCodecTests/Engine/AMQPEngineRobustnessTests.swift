import AMQPCodec
import NIOCore
import Testing

/// Hostile or confused peers: long random conversations must never trap, never send a frame over the negotiated
/// size, and never send anything after the connection closed.
@Suite struct AMQPEngineRobustnessTests {
    typealias C = AMQPEngineConversation

    /// SplitMix64: a seeded generator, so a failure can be replayed.
    struct Generator: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func randomPerformative(_ random: inout Generator) -> AMQPPerformative {
        // Small numbers mostly, so that handles, channels and ids collide with live ones; sometimes extremes.
        func number(_ random: inout Generator) -> UInt32 {
            switch random.next() % 8 {
            case 0: return UInt32.max
            case 1: return UInt32.random(in: 0...UInt32.max, using: &random)
            default: return UInt32(random.next() % 3)
            }
        }
        func flag(_ random: inout Generator) -> Bool? { [nil, true, false][Int(random.next() % 3)] }
        switch random.next() % 12 {
        case 0:
            return .begin(AMQPBegin(remoteChannel: random.next() % 10 == 0 ? 0 : nil, nextOutgoingId: number(&random),
                                    incomingWindow: number(&random), outgoingWindow: number(&random)))
        case 1:
            let role: AMQPAttach.Role = random.next() % 2 == 0 ? .sender : .receiver
            return .attach(AMQPAttach(name: "r", handle: number(&random), role: role, source: AMQPTerminus(address: "s"),
                                      target: AMQPTerminus(address: "t"), initialDeliveryCount: random.next() % 2 == 0 ? number(&random) : nil))
        case 2, 3, 9, 10:
            return .flow(AMQPFlow(nextIncomingId: random.next() % 2 == 0 ? number(&random) : nil, incomingWindow: number(&random),
                                  nextOutgoingId: number(&random), outgoingWindow: number(&random),
                                  handle: random.next() % 4 == 0 ? nil : number(&random), deliveryCount: number(&random),
                                  linkCredit: number(&random), drain: flag(&random), echo: flag(&random)))
        case 4, 5, 11:
            var transfer = AMQPTransfer(handle: number(&random), deliveryId: random.next() % 3 == 0 ? nil : number(&random),
                                        deliveryTag: [UInt8(truncatingIfNeeded: random.next())], settled: flag(&random), more: flag(&random))
            transfer.aborted = random.next() % 10 == 0 ? true : nil
            return .transfer(transfer)
        case 6:
            return .disposition(AMQPDisposition(role: random.next() % 2 == 0 ? .sender : .receiver, first: number(&random),
                                                last: random.next() % 2 == 0 ? number(&random) : nil, settled: flag(&random),
                                                state: random.next() % 2 == 0 ? .accepted : .released))
        case 7:
            return .detach(AMQPDetach(handle: number(&random), closed: flag(&random)))
        default:
            return random.next() % 10 == 0 ? .close(AMQPEnding()) : .end(AMQPEnding())
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomConversationsStayWithinTheRules(seed: UInt64) {
        var random = Generator(state: seed)
        var client = C()
        var closed = true
        var sessionOpen = true
        var (connections, deliveries, sends, outcomes) = (0, 0, 0, 0)
        for step in 0..<3000 {
            if closed {
                // A new connection with a session on channel 1, where most of the traffic goes.
                client = C { $0.channelMax = 3 }
                client.open(maxFrameSize: 512)
                client.begin(channel: 1)
                closed = false
                connections += 1
            }
            if !sessionOpen {
                // The session ended (by either side): the peer begins a new one.
                _ = client.receive(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 100, outgoingWindow: 100)), channel: 1)
                sessionOpen = true
            }
            client.now = C.start + .milliseconds(Int64(step))
            let channel: UInt16 = random.next() % 8 == 0 ? UInt16(random.next() % 5) : 1
            let performative = Self.randomPerformative(&random)
            var actions = client.receive(performative, channel: channel, payload: [UInt8](repeating: 7, count: Int(random.next() % 700)))
            if channel == 1, case .end = performative { sessionOpen = false }
            if C.frames(actions).contains(where: { frame in
                if frame.channel == 1, case .end? = frame.performative { return true }
                return false
            }) { sessionOpen = false }
            // The application: accepts most links with some credit, refuses some, sends and settles when it can.
            var index = 0
            while index < actions.count {
                switch actions[index] {
                case .attachRequested(let request):
                    actions += random.next() % 4 == 0
                        ? client.machine.refuseAttach(request, error: AMQPError(condition: AMQPError.Condition.notFound))
                        : client.machine.acceptAttach(request, credit: UInt32(random.next() % 5))
                case .credit(let id, _, let drain):
                    // Like the gateway: send while there is credit and session window (a few, as credit may be 4 billion).
                    var burst = 0
                    while burst < 8, let sent = client.machine.send(ByteBuffer(bytes: [UInt8](repeating: 1, count: 1500)), on: id,
                                                         deliveryTag: [UInt8](repeating: 2, count: 16), settled: random.next() % 2 == 0) {
                        actions += sent.actions
                        sends += 1
                        burst += 1
                    }
                    if drain { actions += client.machine.drained(id) }
                case .delivery(let delivery):
                    deliveries += 1
                    if !delivery.settled { actions += client.machine.settle(delivery.link, deliveryId: delivery.deliveryId, state: .accepted) }
                    actions += client.machine.grantCredit(delivery.link, credit: 2)
                case .outcome(let id, let deliveryId, _, let state, let settled):
                    outcomes += 1
                    if !settled { actions += client.machine.settleSent(id, deliveryId: deliveryId, state: state) }
                default:
                    break
                }
                index += 1
            }
            #expect(C.encodedFrameSizes(actions).allSatisfy { $0 <= 512 }, "seed \(seed) step \(step): a frame over 512 bytes")
            if let last = actions.lastIndex(where: { if case .closeConnection = $0 { return true }; return false }) {
                #expect(C.outbound(Array(actions[(last + 1)...])).isEmpty, "seed \(seed) step \(step): sent after close")
                #expect(!client.machine.isOpen)
                closed = true
            } else {
                #expect(client.machine.isOpen, "seed \(seed) step \(step)")
            }
        }
        // The run went deep enough to mean something: links carried messages.
        #expect(connections < 1500, "seed \(seed): \(connections) connections")
        #expect(deliveries + sends > 0, "seed \(seed): \(deliveries) deliveries in, \(sends) sent, \(outcomes) outcomes")
    }
}
