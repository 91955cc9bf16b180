import AMQPCodec
import NIOCore
import Testing

/// Links: attach accept/refuse, detach both ways, credit and delivery count in both directions, multi-frame
/// transfers, settlement and disposition ranges.
@Suite struct AMQPEngineLinkTests {
    typealias C = AMQPEngineConversation

    // MARK: Attach and detach

    @Test func acceptingASenderLinkAnswersWithInitialDeliveryCountAndReportsPipelinedCredit() throws {
        var client = C()
        client.open()
        client.begin()
        let attachedResult1 = client.attach(handle: 1, peerRole: .receiver, address: "$management")
        let request = try #require(attachedResult1)
        // pyamqp sends its flow before it has seen the server's attach: kept until the application accepts.
        #expect(client.grant(300).isEmpty)
        let actions = client.machine.acceptAttach(request, properties: [.symbol("k"): .string("v")])
        guard case .attach(let attach)? = C.performatives(actions).first else { Issue.record("no attach"); return }
        #expect(attach.role == .sender)
        #expect(attach.handle == 1 && attach.name == "link-1")
        #expect(attach.initialDeliveryCount == 0)
        #expect(attach.maxMessageSize == 4096)
        #expect(attach.source?.address == "$management")
        #expect(attach.properties != nil)
        #expect(actions.last == .credit(request.id, available: 300, drain: false))
        #expect(client.machine.credit(of: request.id) == 100, "bounded by the peer's session window of 100")
    }

    @Test func refusingALinkAttachesWithoutTheNodeThenDetachesAndToleratesWhatWasInFlight() throws {
        var client = C()
        client.open()
        client.begin()
        let attachedResult2 = client.attach(handle: 1, peerRole: .receiver, address: "nowhere")
        let request = try #require(attachedResult2)
        let error = AMQPError(condition: AMQPError.Condition.notFound, description: "no node nowhere")
        let actions = client.machine.refuseAttach(request, error: error)
        let performatives = C.performatives(actions)
        guard performatives.count == 2, case .attach(let attach) = performatives[0], case .detach(let detach) = performatives[1] else {
            Issue.record("expected attach and detach, got \(performatives.map(\.name))"); return
        }
        #expect(attach.source == nil, "the server would be the sender: no source")
        #expect(attach.target?.address == "client")
        #expect(detach == AMQPDetach(handle: 1, closed: true, error: error))
        // The flow pyamqp pipelined after its attach arrives now: not an error.
        #expect(client.grant(300).isEmpty)
        // Its detach answers the server's: the handle is free, nothing is sent.
        #expect(client.receive(.detach(AMQPDetach(handle: 1, closed: true))).isEmpty)
        #expect(client.attach(handle: 1, peerRole: .receiver) != nil)

        var receiving = C()
        receiving.open()
        receiving.begin()
        let attachedResult3 = receiving.attach(handle: 2, peerRole: .sender, address: "nowhere")
        let inbound = try #require(attachedResult3)
        guard case .attach(let reply)? = C.performatives(receiving.machine.refuseAttach(inbound, error: error)).first else { return }
        #expect(reply.target == nil, "the server would be the receiver: no target")
        #expect(reply.source?.address == "client")
    }

    @Test func thePeersDetachIsEchoedAndReported() throws {
        var client = C()
        let senderResult4 = client.serverSender()
        let id = try #require(senderResult4)
        let error = AMQPError(condition: AMQPError.Condition.detachForced, description: "bye")
        let actions = client.receive(.detach(AMQPDetach(handle: 1, closed: true, error: error)))
        #expect(actions == [.send([.frame(.amqp(.detach(AMQPDetach(handle: 1, closed: true)), channel: 1))]), .linkClosed(id, error: error)])
        // A second detach for the same handle is tolerated.
        #expect(client.receive(.detach(AMQPDetach(handle: 1, closed: true))).isEmpty)
        #expect(client.machine.isOpen)
    }

    @Test func aDetachBeforeTheApplicationDecidedGetsAnAttachFirst() throws {
        var client = C()
        client.open()
        client.begin()
        let attachedResult5 = client.attach(handle: 1, peerRole: .sender)
        let request = try #require(attachedResult5)
        let actions = client.receive(.detach(AMQPDetach(handle: 1, closed: true)))
        #expect(C.performatives(actions).map(\.name) == ["attach", "detach"])
        #expect(actions.last == .linkClosed(request.id, error: nil))
        #expect(client.machine.acceptAttach(request).isEmpty, "too late")
    }

    @Test func theServersDetachHoldsTheHandleUntilThePeerAnswers() throws {
        var client = C()
        let senderResult6 = client.serverSender()
        let id = try #require(senderResult6)
        let error = AMQPError(condition: AMQPError.Condition.unauthorizedAccess, description: "token expired")
        let actions = client.machine.detach(id, error: error)
        #expect(actions == [.send([.frame(.amqp(.detach(AMQPDetach(handle: 1, closed: true, error: error)), channel: 1))]),
                            .linkClosed(id, error: error)])
        #expect(client.machine.detach(id, error: error).isEmpty, "detached once")
        #expect(client.grant(10).isEmpty, "a flow in flight is dropped")
        #expect(client.receive(.disposition(AMQPDisposition(role: .receiver, first: 0, settled: true, state: .accepted))).isEmpty)
        #expect(client.machine.send(ByteBuffer(bytes: [1]), on: id, deliveryTag: [1], settled: true) == nil)
        #expect(client.receive(.detach(AMQPDetach(handle: 1, closed: true))).isEmpty, "the answer")
        let reattached = client.receive(.end(AMQPEnding()))
        #expect(!reattached.contains(.linkClosed(id, error: nil)), "reported once, when it was detached")
    }

    // MARK: Server as sender

    @Test func creditIsUsedUpThenResumedWithContiguousDeliveryIds() throws {
        var client = C()
        let senderResult7 = client.serverSender()
        let id = try #require(senderResult7)
        #expect(client.machine.send(ByteBuffer(bytes: [0]), on: id, deliveryTag: [0], settled: true) == nil, "no credit yet")
        #expect(client.grant(2) == [.credit(id, available: 2, drain: false)])
        var ids: [UInt32] = []
        for n in 0..<2 {
            let sentResult8 = client.machine.send(ByteBuffer(bytes: [UInt8(n)]), on: id, deliveryTag: [UInt8(n)], settled: true)
            let sent = try #require(sentResult8)
            ids.append(sent.deliveryId)
        }
        #expect(client.machine.credit(of: id) == 0)
        #expect(client.machine.send(ByteBuffer(bytes: [9]), on: id, deliveryTag: [9], settled: true) == nil, "credit used up")
        // A stale flow (the peer had not seen the two transfers) grants nothing new.
        #expect(client.grant(2, deliveryCount: 0) == [.credit(id, available: 0, drain: false)])
        // The peer saw both and grants three more.
        #expect(client.grant(3, deliveryCount: 2) == [.credit(id, available: 3, drain: false)])
        let sentResult9 = client.machine.send(ByteBuffer(bytes: [2]), on: id, deliveryTag: [2], settled: true)
        let sent = try #require(sentResult9)
        ids.append(sent.deliveryId)
        #expect(ids == [0, 1, 2])
        #expect(client.machine.credit(of: id) == 2)
    }

    @Test func drainUsesWhatItCanThenGivesTheRestBack() throws {
        var client = C()
        let senderResult10 = client.serverSender()
        let id = try #require(senderResult10)
        #expect(client.grant(5, drain: true) == [.credit(id, available: 5, drain: true)])
        let sentResult11 = client.machine.send(ByteBuffer(bytes: [1]), on: id, deliveryTag: [1], settled: true)
        _ = try #require(sentResult11)
        let actions = client.machine.drained(id)
        let flow = try #require(C.flows(actions).first)
        #expect(flow.handle == 1)
        #expect(flow.deliveryCount == 5, "one sent and four given back")
        #expect(flow.linkCredit == 0)
        #expect(flow.drain == true)
        #expect(flow.nextOutgoingId == 1)
        #expect(client.machine.credit(of: id) == 0)
        #expect(client.machine.drained(id).isEmpty, "the drain is over")
    }

    @Test func aClosedSessionWindowHoldsSendingUntilThePeerReopensIt() throws {
        var client = C()
        let senderResult12 = client.serverSender()
        let id = try #require(senderResult12)
        _ = client.grant(10, incomingWindow: 2)
        #expect(client.machine.credit(of: id) == 2)
        for n in 0..<2 {
            let sent = client.machine.send(ByteBuffer(bytes: [UInt8(n)]), on: id, deliveryTag: [UInt8(n)], settled: true)
            #expect(sent != nil)
        }
        #expect(client.machine.credit(of: id) == 0)
        #expect(client.machine.send(ByteBuffer(bytes: [2]), on: id, deliveryTag: [2], settled: true) == nil)
        // A session-only flow opens the window again: the link with credit is told it may go on.
        let reopened = client.receive(.flow(AMQPFlow(nextIncomingId: 2, incomingWindow: 5, nextOutgoingId: 0, outgoingWindow: 100)))
        #expect(reopened == [.credit(id, available: 8, drain: false)])
        #expect(client.machine.credit(of: id) == 5)
        // A peer that counts deliveries, not frames, can name a window that is already used up: that is zero, not 4 billion.
        _ = client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 1, nextOutgoingId: 0, outgoingWindow: 100)))
        #expect(client.machine.credit(of: id) == 0)
    }

    @Test func largeMessagesAreSplitIntoFramesOfTheNegotiatedSize() throws {
        for peerFrameSize: UInt32 in [512, 65_536] {
            var client = C()
            client.open(maxFrameSize: peerFrameSize)
            client.begin()
            let attachedResult14 = client.attach(handle: 1, peerRole: .receiver)
            let request = try #require(attachedResult14)
            _ = client.machine.acceptAttach(request)
            _ = client.grant(5)
            let tag = [UInt8](repeating: 0xAB, count: 16)
            let message = ByteBuffer(bytes: (0..<5000).map { UInt8(truncatingIfNeeded: $0) })
            let sentResult15 = client.machine.send(message, on: request.id, deliveryTag: tag, settled: false)
            let first = try #require(sentResult15)
            let limit = Int(min(peerFrameSize, 1024))
            let sizes = C.encodedFrameSizes(first.actions)
            #expect(sizes.allSatisfy { $0 <= limit }, "frames \(sizes) within \(limit)")
            #expect(sizes.count >= 5000 / limit + 1)
            let transfers = C.transfers(first.actions)
            #expect(transfers.first?.deliveryId == 0)
            #expect(transfers.first?.deliveryTag == tag)
            #expect(transfers.first?.settled == false)
            #expect(transfers.dropLast().allSatisfy { $0.more == true })
            #expect(transfers.last?.more == false)
            var joined = ByteBuffer()
            for frame in C.frames(first.actions) { var payload = frame.payload; joined.writeBuffer(&payload) }
            #expect(joined == message)
            // The next delivery's id follows on, whatever the frame count.
            let sentResult16 = client.machine.send(ByteBuffer(bytes: [1]), on: request.id, deliveryTag: tag, settled: false)
            let second = try #require(sentResult16)
            #expect(second.deliveryId == 1)
            #expect(C.transfers(second.actions).count == 1)
            #expect(client.machine.credit(of: request.id) == 3)
        }
    }

    @Test func dispositionRangesReportEachUnsettledDeliveryOnce() throws {
        var client = C()
        let senderResult17 = client.serverSender()
        let id = try #require(senderResult17)
        _ = client.grant(10)
        for n in 0..<4 {
            let tag = [UInt8](repeating: UInt8(n), count: 16)
            let sentResult18 = client.machine.send(ByteBuffer(bytes: [UInt8(n)]), on: id, deliveryTag: tag, settled: false)
            _ = try #require(sentResult18)
        }
        let sentResult19 = client.machine.send(ByteBuffer(bytes: [4]), on: id, deliveryTag: [4], settled: true)
        _ = try #require(sentResult19)
        let accepted = client.receive(.disposition(AMQPDisposition(role: .receiver, first: 1, last: 2, settled: true, state: .accepted)))
        #expect(accepted == [.outcome(id, deliveryId: 1, deliveryTag: [UInt8](repeating: 1, count: 16), state: .accepted, settled: true),
                             .outcome(id, deliveryId: 2, deliveryTag: [UInt8](repeating: 2, count: 16), state: .accepted, settled: true)])
        let modified = AMQPDeliveryState.modified(deliveryFailed: true, undeliverableHere: false, messageAnnotations: nil)
        let rest = client.receive(.disposition(AMQPDisposition(role: .receiver, first: 0, last: UInt32.max, settled: true, state: modified)))
        #expect(rest.map { action -> UInt32? in
            if case .outcome(_, let deliveryId, _, let state, _) = action, state == modified { return deliveryId }
            return nil
        } == [0, 3], "only the unsettled ones; the pre-settled delivery 4 is not tracked")
        #expect(client.receive(.disposition(AMQPDisposition(role: .receiver, first: 0, last: 4, settled: true, state: .released))).isEmpty)
    }

    @Test func aNonTerminalStateKeepsTheDeliveryAndTheServerSettlesLast() throws {
        var client = C()
        let senderResult20 = client.serverSender()
        let id = try #require(senderResult20)
        _ = client.grant(1)
        let sentResult21 = client.machine.send(ByteBuffer(bytes: [7]), on: id, deliveryTag: [7], settled: false)
        let sent = try #require(sentResult21)
        let received = AMQPDeliveryState.received(sectionNumber: 0, sectionOffset: 1)
        #expect(client.receive(.disposition(AMQPDisposition(role: .receiver, first: sent.deliveryId, state: received)))
                == [.outcome(id, deliveryId: 0, deliveryTag: [7], state: received, settled: false)])
        let rejected = AMQPDeliveryState.rejected(AMQPError(condition: AMQPError.Condition.decodeError))
        #expect(client.receive(.disposition(AMQPDisposition(role: .receiver, first: 0, settled: false, state: rejected)))
                == [.outcome(id, deliveryId: 0, deliveryTag: [7], state: rejected, settled: false)])
        let settle = client.machine.settleSent(id, deliveryId: 0, state: rejected)
        #expect(C.performatives(settle) == [.disposition(AMQPDisposition(role: .sender, first: 0, last: 0, settled: true, state: rejected))])
    }

    // MARK: Server as receiver

    @Test func incomingMultiFrameDeliveriesAreJoinedAndSettledByRange() throws {
        var client = C()
        let receiverResult22 = client.serverReceiver(credit: 3)
        let id = try #require(receiverResult22)
        #expect(client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [0xA], messageFormat: 0x8001_3700, more: true)),
                               payload: [1, 2]).isEmpty)
        #expect(client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, more: true)), payload: [3]).isEmpty)
        let done = C.deliveries(client.receive(.transfer(AMQPTransfer(handle: 1, more: false)), payload: [4]))
        #expect(done == [AMQPIncomingDelivery(link: id, deliveryId: 0, deliveryTag: [0xA], messageFormat: 0x8001_3700, settled: false,
                                              payload: ByteBuffer(bytes: [1, 2, 3, 4]))])
        let second = C.deliveries(client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 1, deliveryTag: [0xB])), payload: [5]))
        #expect(second.map(\.deliveryId) == [1])
        let settled = client.machine.settle(id, deliveryIds: 0...1, state: .accepted)
        #expect(C.performatives(settled) == [.disposition(AMQPDisposition(role: .receiver, first: 0, last: 1, settled: true, state: .accepted))])
    }

    @Test func anAbortedDeliveryIsDroppedButUsesItsCredit() throws {
        var client = C()
        let receiverResult23 = client.serverReceiver(credit: 2)
        let id = try #require(receiverResult23)
        _ = client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [0], more: true)), payload: [1])
        var aborted = AMQPTransfer(handle: 1, more: false)
        aborted.aborted = true
        #expect(client.receive(.transfer(aborted)).isEmpty)
        let next = C.deliveries(client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 1, deliveryTag: [1], settled: true)), payload: [2]))
        #expect(next == [AMQPIncomingDelivery(link: id, deliveryId: 1, deliveryTag: [1], messageFormat: 0, settled: true,
                                              payload: ByteBuffer(bytes: [2]))])
        let over = client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 2, deliveryTag: [2])), payload: [3])
        #expect(C.detaches(over).first?.error?.condition == AMQPError.Condition.transferLimitExceeded)
    }

    @Test func creditIsReplenishedByTheApplicationAndFollowsThePeersDeliveryCount() throws {
        var client = C()
        let receiverResult24 = client.serverReceiver(credit: 2)
        let id = try #require(receiverResult24)
        for n in UInt32(0)..<2 {
            #expect(C.deliveries(client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: n, deliveryTag: [UInt8(n)], settled: true)),
                                                payload: [0])).count == 1)
        }
        let flow = try #require(C.flows(client.machine.grantCredit(id, credit: 4)).first)
        #expect(flow.handle == 1 && flow.linkCredit == 4 && flow.deliveryCount == 2)
        #expect(flow.nextIncomingId == 2)
        // The peer (a sender) reports it used two credits without transfers (e.g. after a drain).
        _ = client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 100, nextOutgoingId: 2, outgoingWindow: 100,
                                          handle: 1, deliveryCount: 4, linkCredit: 0)))
        let echo = try #require(C.flows(client.receive(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 100, nextOutgoingId: 2,
                                                                      outgoingWindow: 100, handle: 1, echo: true)))).first)
        #expect(echo.deliveryCount == 4 && echo.linkCredit == 2)
    }

    @Test func aMessageOverTheMaximumSizeDetachesTheLinkAndTheRestOfItIsDropped() throws {
        var client = C()
        let receiverResult25 = client.serverReceiver(credit: 5)
        let id = try #require(receiverResult25)
        let chunk = [UInt8](repeating: 1, count: 1000)
        for n in 0..<4 {
            let actions = client.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: n == 0 ? 0 : nil, deliveryTag: n == 0 ? [0] : nil,
                                                                more: true)), payload: chunk)
            #expect(C.detaches(actions).isEmpty)
        }
        let over = client.receive(.transfer(AMQPTransfer(handle: 1, more: true)), payload: chunk)
        let error = try #require(C.detaches(over).first?.error)
        #expect(error.condition == AMQPError.Condition.messageSizeExceeded)
        #expect(over.contains(.linkClosed(id, error: error)))
        // The client had more frames of that message on the wire: they are dropped, the session lives on.
        let rest = client.receive(.transfer(AMQPTransfer(handle: 1, more: false)), payload: chunk)
        #expect(C.endError(rest) == nil && !C.closesConnection(rest))
        #expect(client.receive(.detach(AMQPDetach(handle: 1, closed: true, error: nil))).isEmpty)
        #expect(client.attach(handle: 1, peerRole: .sender) != nil)
    }

    @Test func transfersOutOfOrderOrOnTheWrongLinkAreRefused() throws {
        var interleaved = C()
        let receiverResult26 = interleaved.serverReceiver(credit: 5)
        _ = try #require(receiverResult26)
        _ = interleaved.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [0], more: true)), payload: [1])
        let other = interleaved.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 1, deliveryTag: [1])), payload: [2])
        #expect(C.detaches(other).first?.error?.condition == AMQPError.Condition.notAllowed)

        var noId = C()
        let receiverResult27 = noId.serverReceiver(credit: 5)
        _ = try #require(receiverResult27)
        let missing = noId.receive(.transfer(AMQPTransfer(handle: 1, deliveryTag: [1])), payload: [2])
        #expect(C.detaches(missing).first?.error?.condition == AMQPError.Condition.invalidField)

        var early = C()
        early.open()
        early.begin()
        let attachedResult28 = early.attach(handle: 1, peerRole: .sender)
        _ = try #require(attachedResult28)
        let beforeAccept = early.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [0])), payload: [1])
        #expect(C.performatives(beforeAccept).map(\.name) == ["attach", "detach"])
        #expect(C.detaches(beforeAccept).first?.error?.condition == AMQPError.Condition.transferLimitExceeded)

        var wrongWay = C()
        let senderResult29 = wrongWay.serverSender()
        _ = try #require(senderResult29)
        let reversed = wrongWay.receive(.transfer(AMQPTransfer(handle: 1, deliveryId: 0, deliveryTag: [0])), payload: [1])
        #expect(C.endError(reversed)??.condition == AMQPError.Condition.notAllowed)
    }
}
