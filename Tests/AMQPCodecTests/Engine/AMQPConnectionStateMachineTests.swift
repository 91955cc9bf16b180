import AMQPCodec
import NIOCore
import Testing

/// Conversations with the server-side engine, no sockets: what each client style sends, and the actions it gets.
@Suite struct AMQPConnectionStateMachineTests {
    static let start = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func machine(_ configure: (inout AMQPConnectionConfiguration) -> Void = { _ in }) -> AMQPConnectionStateMachine {
        var configuration = AMQPConnectionConfiguration(containerId: "provisio", maxFrameSize: 1024, incomingWindow: 10, maxMessageSize: 4096)
        configure(&configuration)
        return AMQPConnectionStateMachine(configuration: configuration, now: start)
    }

    static func frames(_ actions: [AMQPConnectionAction]) -> [AMQPOutbound] {
        actions.flatMap { action -> [AMQPOutbound] in
            if case .send(let items) = action { return items }
            return []
        }
    }

    static func performatives(_ actions: [AMQPConnectionAction]) -> [AMQPPerformative] {
        frames(actions).compactMap { item in
            if case .frame(.amqp(_, let performative?, _)) = item { return performative }
            return nil
        }
    }

    static func inbound(_ performative: AMQPPerformative, channel: UInt16 = 1, payload: ByteBuffer = ByteBuffer()) -> AMQPInbound {
        .frame(.amqp(channel: channel, performative: performative, payload: payload))
    }

    /// SASL ANONYMOUS with pyamqp's pipelining (header, open, begin and an attach before the outcome), then a
    /// receiver link on channel 1 the application accepts.
    static func openedWithLink(_ machine: inout AMQPConnectionStateMachine, role: AMQPAttach.Role) -> AMQPLinkRequest? {
        _ = machine.received(.header(.sasl), now: start)
        let auth = machine.received(.frame(.sasl(.initial(mechanism: "ANONYMOUS", initialResponse: [], hostname: "h"))), now: start)
        #expect(auth == [.authenticate(mechanism: "ANONYMOUS", initialResponse: [], hostname: "h")])
        for item in [AMQPInbound.header(.amqp), inbound(.open(AMQPOpen(containerId: "c", maxFrameSize: 65_536, idleTimeOut: 1000)), channel: 0),
                     inbound(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 100, outgoingWindow: 100))),
                     inbound(.attach(AMQPAttach(name: "l", handle: 1, role: role, source: AMQPTerminus(address: "s"),
                                                target: AMQPTerminus(address: "t"))))] {
            #expect(machine.received(item, now: start).isEmpty, "queued while authenticating")
        }
        let actions = machine.authenticated(true, now: start)
        #expect(frames(actions).first == .frame(.sasl(.outcome(code: 0, additionalData: nil))))
        #expect(frames(actions).contains(.header(.amqp)))
        let performatives = performatives(actions)
        guard performatives.count == 2, case .open(let open) = performatives[0], case .begin(let begin) = performatives[1] else {
            Issue.record("expected open and begin, got \(performatives.map(\.name))")
            return nil
        }
        #expect(open.maxFrameSize == 1024)
        #expect(begin.remoteChannel == 1)
        for action in actions {
            if case .attachRequested(let request) = action { return request }
        }
        Issue.record("no attach request")
        return nil
    }

    @Test func pyamqpPipelinedOpeningAndAReceiverLink() throws {
        var machine = Self.machine()
        let request = try #require(Self.openedWithLink(&machine, role: .sender))
        #expect(request.id == AMQPLinkID(channel: 1, handle: 1))
        let accepted = machine.acceptAttach(request, credit: 5)
        let performatives = Self.performatives(accepted)
        guard case .attach(let attach) = performatives.first, case .flow(let flow) = performatives.last else {
            Issue.record("expected attach and flow"); return
        }
        #expect(attach.role == .receiver)
        #expect(attach.maxMessageSize == 4096)
        #expect(flow.linkCredit == 5)
    }

    @Test func multiFrameTransferIsReassembledAndCreditIsEnforced() throws {
        var machine = Self.machine()
        let request = try #require(Self.openedWithLink(&machine, role: .sender))
        _ = machine.acceptAttach(request, credit: 1)
        var part1 = ByteBuffer(bytes: [1, 2])
        let first = machine.received(Self.inbound(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [9], more: true)), payload: part1),
                                     now: Self.start)
        #expect(first.isEmpty)
        part1 = ByteBuffer(bytes: [3])
        let second = machine.received(Self.inbound(.transfer(AMQPTransfer(handle: 1, more: false)), payload: part1), now: Self.start)
        #expect(second.contains(.delivery(AMQPIncomingDelivery(link: request.id, deliveryId: 0, deliveryTag: [9], messageFormat: 0,
                                                               settled: false, payload: ByteBuffer(bytes: [1, 2, 3])))))
        // Credit is spent: another transfer detaches the link.
        let over = machine.received(Self.inbound(.transfer(AMQPTransfer(handle: 1, deliveryId: 1, deliveryTag: [8]))), now: Self.start)
        #expect(over.contains(.linkClosed(request.id, error: AMQPError(condition: AMQPError.Condition.transferLimitExceeded,
                                                                       description: "transfer without link credit"))))
    }

    @Test func tooLargeMessagesDetachWithMessageSizeExceeded() throws {
        var machine = Self.machine()
        let request = try #require(Self.openedWithLink(&machine, role: .sender))
        _ = machine.acceptAttach(request, credit: 10)
        let big = ByteBuffer(bytes: [UInt8](repeating: 1, count: 5000))
        let actions = machine.received(Self.inbound(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [1])), payload: big), now: Self.start)
        #expect(actions.contains { if case .linkClosed(_, let error) = $0 { return error?.condition == AMQPError.Condition.messageSizeExceeded }; return false })
    }

    @Test func sendingUsesCreditSplitsFramesAndReportsOutcomes() throws {
        var machine = Self.machine()
        let request = try #require(Self.openedWithLink(&machine, role: .receiver))
        _ = machine.acceptAttach(request)
        let early = machine.send(ByteBuffer(bytes: [1]), on: request.id, deliveryTag: [0], settled: false)
        #expect(early == nil, "no credit yet")
        let credit = machine.received(Self.inbound(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 100, nextOutgoingId: 0, outgoingWindow: 100,
                                                                  handle: 1, deliveryCount: 0, linkCredit: 2))), now: Self.start)
        #expect(credit == [.credit(request.id, available: 2, drain: false)])
        let big = ByteBuffer(bytes: [UInt8](repeating: 7, count: 3000))
        let result = machine.send(big, on: request.id, deliveryTag: Array(repeating: 1, count: 16), settled: false)
        let sent = try #require(result)
        let transfers = Self.frames(sent.actions)
        #expect(transfers.count > 3, "3000 bytes in frames of at most 1024")
        var joined = ByteBuffer()
        for case .frame(.amqp(_, .transfer, var payload)) in transfers { joined.writeBuffer(&payload) }
        #expect(joined == big)
        let outcome = machine.received(Self.inbound(.disposition(AMQPDisposition(role: .receiver, first: 0, last: 0, settled: true,
                                                                                 state: .accepted))), now: Self.start)
        #expect(outcome == [.outcome(request.id, deliveryId: sent.deliveryId, deliveryTag: Array(repeating: 1, count: 16), state: .accepted,
                                     settled: true)])
    }

    @Test func saslFailureAndForeignHeadersClose() {
        var refused = Self.machine()
        _ = refused.received(.header(.sasl), now: Self.start)
        _ = refused.received(.frame(.sasl(.initial(mechanism: "PLAIN", initialResponse: [0], hostname: nil))), now: Self.start)
        #expect(refused.authenticated(false, now: Self.start) == [.send([.frame(.sasl(.outcome(code: 1, additionalData: nil)))]),
                                                                 .closeConnection(nil)])
        var unknown = Self.machine()
        _ = unknown.received(.header(.sasl), now: Self.start)
        let actions = unknown.received(.frame(.sasl(.initial(mechanism: "GSSAPI", initialResponse: nil, hostname: nil))), now: Self.start)
        #expect(actions.last == .closeConnection(nil))
        var tls = Self.machine()
        #expect(tls.received(.header(.tls), now: Self.start) == [.send([.header(.sasl)]), .closeConnection(nil)])
        var noSASL = Self.machine { $0.allowsPlainAMQP = false }
        #expect(noSASL.received(.header(.amqp), now: Self.start) == [.send([.header(.sasl)]), .closeConnection(nil)])
    }

    @Test func framesBeforeOpenAndUnknownChannelsAreConnectionErrors() {
        var machine = Self.machine()
        _ = machine.received(.header(.amqp), now: Self.start)
        let early = machine.received(Self.inbound(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 1, outgoingWindow: 1))), now: Self.start)
        #expect(early.last == .closeConnection(AMQPError(condition: AMQPError.Condition.illegalState, description: "a frame before open")))
        var other = Self.machine()
        _ = other.received(.header(.amqp), now: Self.start)
        _ = other.received(Self.inbound(.open(AMQPOpen(containerId: "c")), channel: 0), now: Self.start)
        let stray = other.received(Self.inbound(.attach(AMQPAttach(name: "x", handle: 0, role: .sender, source: nil, target: nil)), channel: 7),
                                   now: Self.start)
        #expect(stray.last == .closeConnection(AMQPError(condition: AMQPError.Condition.notAllowed, description: "no session on channel 7")))
    }

    @Test func aDetachAfterEndIsIgnored() throws {
        var machine = Self.machine()
        _ = try #require(Self.openedWithLink(&machine, role: .sender))
        let ended = machine.received(Self.inbound(.end(AMQPEnding())), now: Self.start)
        #expect(Self.performatives(ended).contains(.end(AMQPEnding())))
        #expect(machine.received(Self.inbound(.detach(AMQPDetach(handle: 1))), now: Self.start).isEmpty)
        #expect(machine.isOpen)
    }

    @Test func idleTimeoutSendsKeepAlivesAndClosesSilentPeers() throws {
        var machine = Self.machine { $0.idleTimeoutMilliseconds = 4000 }
        _ = try #require(Self.openedWithLink(&machine, role: .sender))
        // The peer asked for 1000 ms: an empty frame after 500 ms of silence from the server.
        #expect(machine.tick(now: Self.start + .milliseconds(600)) == [.send([.frame(.heartbeat)])])
        let closed = machine.tick(now: Self.start + .milliseconds(4500))
        #expect(closed.last == .closeConnection(AMQPError(condition: AMQPError.Condition.resourceLimitExceeded,
                                                          description: "no frame for 4000 ms (idle timeout)")))
    }
}
