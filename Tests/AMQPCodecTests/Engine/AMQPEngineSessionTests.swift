import AMQPCodec
import NIOCore
import Testing

/// Sessions: begin/end, channel mapping and limits, windows, and the errors that end a session or the connection.
@Suite struct AMQPEngineSessionTests {
    typealias C = AMQPEngineConversation

    @Test func beginIsAnsweredOnTheSameChannelWithTheServersWindowAndHandleMax() throws {
        var client = C()
        client.open()
        let begunResult1 = client.begin(channel: 5)
        let begin = try #require(begunResult1)
        #expect(begin.remoteChannel == 5)
        #expect(begin.nextOutgoingId == 0)
        #expect(begin.incomingWindow == 8)
        #expect(begin.handleMax == 15)
    }

    @Test func channelsBeyondChannelMaxCloseTheConnectionWithFramingError() {
        var client = C()
        client.open()
        let actions = client.receive(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 1, outgoingWindow: 1)), channel: 8)
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.framingError)
    }

    @Test func aSecondBeginOnABusyChannelOrABeginWithRemoteChannelIsNotAllowed() {
        var busy = C()
        busy.open()
        busy.begin(channel: 1)
        #expect(C.closeError(busy.receive(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 1, outgoingWindow: 1))))??.condition
                == AMQPError.Condition.notAllowed)
        var answered = C()
        answered.open()
        #expect(C.closeError(answered.receive(.begin(AMQPBegin(remoteChannel: 0, nextOutgoingId: 0, incomingWindow: 1, outgoingWindow: 1))))??
            .condition == AMQPError.Condition.notAllowed)
    }

    @Test func aPerformativeOnAChannelWithoutASessionClosesTheConnection() {
        var client = C()
        client.open()
        let actions = client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 1, nextOutgoingId: 0, outgoingWindow: 1)), channel: 3)
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.notAllowed)
        #expect(C.closesConnection(actions))
    }

    @Test func endIsAnsweredItsLinksCloseAndTheChannelCanBeginAgain() throws {
        var client = C()
        let senderResult2 = client.serverSender()
        let id = try #require(senderResult2)
        let ended = client.receive(.end(AMQPEnding()))
        #expect(ended == [.linkClosed(id, error: nil), .send([.frame(.amqp(.end(AMQPEnding()), channel: 1))])])
        // pyamqp: a detach (and a flow) on the channel it just ended are dropped.
        #expect(client.receive(.detach(AMQPDetach(handle: 1))).isEmpty)
        #expect(client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 1, nextOutgoingId: 0, outgoingWindow: 1, handle: 1,
                                              deliveryCount: 0, linkCredit: 1))).isEmpty)
        #expect(client.machine.isOpen)
        #expect(client.begin(channel: 1)?.remoteChannel == 1)
        #expect(client.attach(handle: 1, peerRole: .receiver) != nil, "the handle is free in the new session")
    }

    @Test func handlesBeyondHandleMaxCloseTheConnectionWithFramingError() {
        var client = C()
        client.open()
        client.begin()
        let actions = client.receive(.attach(AMQPAttach(name: "x", handle: 16, role: .sender, source: nil, target: nil)))
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.framingError)
    }

    @Test func aHandleInUseEndsOnlyThatSession() throws {
        var client = C()
        let senderResult3 = client.serverSender()
        let id = try #require(senderResult3)
        client.begin(channel: 2)
        let attachedResult4 = client.attach(handle: 1, peerRole: .receiver, channel: 2)
        let other = try #require(attachedResult4)
        _ = client.machine.acceptAttach(other)
        let actions = client.receive(.attach(AMQPAttach(name: "again", handle: 1, role: .receiver, source: nil, target: nil)))
        #expect(actions.first == .linkClosed(id, error: AMQPError(condition: AMQPError.Condition.handleInUse, description: "handle 1 is in use")))
        #expect(C.endError(actions)??.condition == AMQPError.Condition.handleInUse)
        #expect(!C.closesConnection(actions))
        #expect(client.grant(3, handle: 1) == [], "session 1 is gone; what it still sends is dropped")
        let stillThere = client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 10, nextOutgoingId: 0, outgoingWindow: 10,
                                                       handle: 1, deliveryCount: 0, linkCredit: 3)), channel: 2)
        #expect(stillThere == [.credit(other.id, available: 3, drain: false)])
    }

    @Test func flowsAndTransfersOnUnattachedHandlesEndTheSession() {
        var flow = C()
        flow.open()
        flow.begin()
        let flowActions = flow.grant(1, handle: 9)
        #expect(C.endError(flowActions)??.condition == AMQPError.Condition.unattachedHandle)
        #expect(!C.closesConnection(flowActions))
        var transfer = C()
        transfer.open()
        transfer.begin()
        let transferActions = transfer.receive(.transfer(AMQPTransfer(handle: 4, deliveryId: 0, deliveryTag: [0])), payload: [1])
        #expect(C.endError(transferActions)??.condition == AMQPError.Condition.unattachedHandle)
    }

    @Test func theIncomingWindowIsReopenedAtHalf() throws {
        var client = C()
        let receiverResult5 = client.serverReceiver(credit: 20)
        let id = try #require(receiverResult5)
        var flows: [AMQPFlow] = []
        for n in UInt32(0)..<6 {
            let actions = client.receive(.transfer(AMQPTransfer(handle: id.handle, deliveryId: n, deliveryTag: [UInt8(n)], settled: true)),
                                         payload: [UInt8(n)])
            #expect(C.deliveries(actions).count == 1)
            flows += C.flows(actions)
        }
        // Window 8: after the 4th transfer 4 are left, which is half: a session flow (no handle) opens it to 8 again.
        #expect(flows == [AMQPFlow(nextIncomingId: 4, incomingWindow: 8, nextOutgoingId: 0, outgoingWindow: UInt32.max)])
    }

    @Test func aTransferBeyondTheSessionWindowIsAWindowViolation() throws {
        // A server session with no incoming window (one that only sends) makes any transfer a violation.
        var client = C { $0.incomingWindow = 0 }
        client.open()
        client.begin()
        let attachedResult6 = client.attach(handle: 1, peerRole: .sender)
        let request = try #require(attachedResult6)
        _ = client.machine.acceptAttach(request, credit: 5)
        let actions = client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [0])), payload: [1])
        #expect(C.endError(actions)??.condition == AMQPError.Condition.windowViolation)
        #expect(actions.contains(.linkClosed(request.id, error: AMQPError(condition: AMQPError.Condition.windowViolation,
                                                                          description: "transfer beyond the session window"))))
    }

    @Test func echoIsAnswered() throws {
        var client = C()
        let senderResult7 = client.serverSender()
        let id = try #require(senderResult7)
        let sessionOnly = client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 50, nextOutgoingId: 0, outgoingWindow: 1, echo: true)))
        #expect(C.flows(sessionOnly) == [AMQPFlow(nextIncomingId: 0, incomingWindow: 8, nextOutgoingId: 0, outgoingWindow: UInt32.max)])
        let linkFlow = client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 50, nextOutgoingId: 0, outgoingWindow: 1,
                                                     handle: id.handle, deliveryCount: 0, linkCredit: 2, echo: true)))
        let answer = try #require(C.flows(linkFlow).first)
        #expect(answer.handle == id.handle && answer.linkCredit == 2 && answer.deliveryCount == 0)
    }
}
