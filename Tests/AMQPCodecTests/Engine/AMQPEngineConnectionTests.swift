import AMQPCodec
import NIOCore
import Testing

/// The connection layer of the engine: protocol headers, SASL, open negotiation, connection errors, idle timeouts.
@Suite struct AMQPEngineConnectionTests {
    typealias C = AMQPEngineConversation

    /// Runs bytes through the real frame decoder and hands the engine what it produced (or its error).
    static func feed(_ bytes: [UInt8], to conversation: inout C, maximumFrameSize: Int = 1024) -> [AMQPConnectionAction] {
        let decoder = AMQPFrameDecoder(limits: AMQPCodecLimits(maximumFrameSize: maximumFrameSize))
        var buffer = ByteBuffer(bytes: bytes)
        var actions: [AMQPConnectionAction] = []
        do {
            while let inbound = try decoder.decodeNext(&buffer) { actions += conversation.receive(inbound) }
        } catch {
            actions += conversation.machine.decodingFailed(error)
        }
        return actions
    }

    /// A frame with a hand-built body, as a client that shortens field lists (uamqp, proton) sends it.
    static func frameBytes(channel: UInt16, descriptor: UInt64, fields: [AMQPValue], type: UInt8 = 0) -> [UInt8] {
        var body = ByteBuffer()
        body.writeAMQPValue(.described(descriptor: .ulong(descriptor), value: .list(fields)))
        var frame = ByteBuffer()
        frame.writeInteger(UInt32(8 + body.readableBytes))
        frame.writeInteger(UInt8(2))
        frame.writeInteger(type)
        frame.writeInteger(channel)
        frame.writeBuffer(&body)
        return Array(frame.readableBytesView)
    }

    @Test func saslExchangeOffersTheConfiguredMechanismsAndAnswersWithAFullOpen() throws {
        var client = C { $0.saslMechanisms = ["MSSBCBS", "ANONYMOUS", "PLAIN", "EXTERNAL"] }
        #expect(client.receive(.header(.sasl)) == [.send([.header(.sasl), .frame(.sasl(.mechanisms(["MSSBCBS", "ANONYMOUS", "PLAIN", "EXTERNAL"])))])])
        #expect(client.receive(.frame(.sasl(.initial(mechanism: "PLAIN", initialResponse: [0, 0x75, 0, 0x70], hostname: "hub.example"))))
                == [.authenticate(mechanism: "PLAIN", initialResponse: [0, 0x75, 0, 0x70], hostname: "hub.example")])
        #expect(client.machine.authenticated(true, now: client.now) == [.send([.frame(.sasl(.outcome(code: 0, additionalData: nil)))])])
        #expect(client.receive(.header(.amqp)) == [.send([.header(.amqp)])])
        let open = AMQPOpen(containerId: "client", maxFrameSize: 4096, idleTimeOut: 30_000)
        let actions = client.receive(.open(open), channel: 0)
        #expect(actions.last == .opened(open))
        let reply = try #require(C.performatives(actions).first)
        guard case .open(let answer) = reply else { Issue.record("expected open, got \(reply.name)"); return }
        #expect(answer.containerId == "provisio")
        #expect(answer.maxFrameSize == 1024)
        #expect(answer.channelMax == 7)
        #expect(answer.idleTimeOut == 5000, "half the server's own 10 s threshold, as the spec advises")
        #expect(client.machine.isOpen)
    }

    @Test func aRefusedSASLExchangeCarriesTheApplicationsCodeAndDropsWhatWasPipelined() {
        var client = C()
        _ = client.receive(.header(.sasl))
        _ = client.receive(.frame(.sasl(.initial(mechanism: "PLAIN", initialResponse: [0, 0x75, 0, 0x70], hostname: nil))))
        #expect(client.receive(.header(.amqp)).isEmpty)
        #expect(client.receive(.open(AMQPOpen(containerId: "eager")), channel: 0).isEmpty)
        #expect(client.machine.authenticated(false, failureCode: 4, now: client.now)
                == [.send([.frame(.sasl(.outcome(code: 4, additionalData: nil)))]), .closeConnection(nil)])
        #expect(!client.machine.isOpen)
        #expect(client.machine.tick(now: C.start + .seconds(60)).isEmpty)
    }

    @Test func anAMQPFrameInsteadOfSASLInitFailsTheExchange() {
        var client = C()
        _ = client.receive(.header(.sasl))
        let actions = client.receive(.open(AMQPOpen(containerId: "c")), channel: 0)
        #expect(actions == [.send([.frame(.sasl(.outcome(code: 2, additionalData: nil)))]), .closeConnection(nil)])
    }

    @Test func wrongHeadersAreAnsweredWithTheSupportedOneThenClosed() {
        // AMQP 1.1.0.0 (unknown protocol id): the decoder refuses it, the engine names what it speaks.
        var unknown = C()
        #expect(Self.feed([0x41, 0x4D, 0x51, 0x50, 1, 1, 0, 0], to: &unknown) == [.send([.header(.sasl)]), .closeConnection(nil)])
        // An HTTP request on the AMQP port.
        var http = C()
        #expect(Self.feed(Array("GET / HTTP/1.1\r\n\r\n".utf8), to: &http) == [.send([.header(.sasl)]), .closeConnection(nil)])
        // Without SASL offered the supported header is the plain one.
        var plainOnly = C { $0.saslMechanisms = [] }
        #expect(plainOnly.receive(.header(.sasl)) == [.send([.header(.amqp)]), .closeConnection(nil)])
        // After SASL, a second SASL header is wrong: the AMQP header is the answer.
        var twice = C()
        _ = twice.receive(.header(.sasl))
        _ = twice.receive(.frame(.sasl(.initial(mechanism: "ANONYMOUS", initialResponse: nil, hostname: nil))))
        _ = twice.machine.authenticated(true, now: twice.now)
        #expect(twice.receive(.header(.sasl)) == [.send([.header(.amqp)]), .closeConnection(nil)])
    }

    @Test func garbageAfterTheHeaderIsAFramingError() {
        var client = C()
        _ = client.receive(.header(.amqp))
        // A frame whose declared size is smaller than its own header.
        let actions = Self.feed([0, 0, 0, 4, 2, 0, 0, 0], to: &client)
        #expect(C.performatives(actions).first?.name == "open", "a close must follow the server's open")
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.framingError)
        #expect(actions.last == .closeConnection(C.closeError(actions) ?? nil))
        #expect(client.receive(.open(AMQPOpen(containerId: "late")), channel: 0).isEmpty, "nothing after the close")
    }

    @Test func aFrameOverTheMaximumSizeClosesWithFramingError() {
        var client = C()
        client.open()
        var bytes = Self.frameBytes(channel: 1, descriptor: 0x11, fields: [.null, .uint(0), .uint(1), .uint(1)])
        bytes += [UInt8](repeating: 0, count: 2000)
        bytes.replaceSubrange(0..<4, with: withUnsafeBytes(of: UInt32(bytes.count).bigEndian, Array.init))
        let actions = Self.feed(bytes, to: &client)
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.framingError)
        #expect(C.closesConnection(actions))
    }

    @Test func anUndecodablePerformativeAfterOpenIsADecodeError() {
        var client = C()
        client.open()
        // A begin whose next-outgoing-id is a string.
        let actions = Self.feed(Self.frameBytes(channel: 1, descriptor: 0x11, fields: [.null, .string("x"), .uint(1), .uint(1)]), to: &client)
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.decodeError)
    }

    @Test func uamqpStyleShortListsOnChannelZero() throws {
        var client = C()
        _ = client.receive(.header(.sasl))
        #expect(client.receive(.frame(.sasl(.initial(mechanism: "MSSBCBS", initialResponse: nil, hostname: nil))))
                == [.authenticate(mechanism: "MSSBCBS", initialResponse: nil, hostname: nil)])
        _ = client.machine.authenticated(true, now: client.now)
        var bytes = AMQPProtocolHeader.amqp.bytes
        bytes += Self.frameBytes(channel: 0, descriptor: 0x10, fields: [.string("uamqp"), .string("hub"), .uint(65_536), .ushort(65_535)])
        bytes += Self.frameBytes(channel: 0, descriptor: 0x11, fields: [.null, .uint(0), .uint(65_536), .uint(65_536)])
        bytes += Self.frameBytes(channel: 0, descriptor: 0x12, fields: [.string("cbs-sender"), .uint(0), .bool(false)])
        let actions = Self.feed(bytes, to: &client, maximumFrameSize: 65_536)
        let performatives = C.performatives(actions)
        #expect(performatives.map(\.name) == ["open", "begin"])
        guard case .begin(let begin)? = performatives.last else { return }
        #expect(begin.remoteChannel == 0)
        let request = try #require(actions.compactMap { action -> AMQPLinkRequest? in
            if case .attachRequested(let request) = action { return request }
            return nil
        }.first)
        #expect(request.id == AMQPLinkID(channel: 0, handle: 0))
        #expect(request.attach.source == nil && request.attach.target == nil)
        let accepted = client.machine.acceptAttach(request, target: AMQPTerminus(address: "$cbs"), credit: 10)
        #expect(C.performatives(accepted).map(\.name) == ["attach", "flow"])
    }

    @Test func everyPerformativeGoesOutWithItsFullFieldList() throws {
        var client = C()
        let senderResult1 = client.serverSender()
        let id = try #require(senderResult1)
        var everything: [AMQPConnectionAction] = []
        everything += client.grant(5, drain: true)
        let sentResult2 = client.machine.send(ByteBuffer(bytes: [1, 2, 3]), on: id, deliveryTag: [1], settled: false)
        everything += try #require(sentResult2).actions
        everything += client.machine.drained(id)
        everything += client.machine.settleSent(id, deliveryId: 0, state: .accepted)
        everything += client.machine.detach(id, error: AMQPError(condition: AMQPError.Condition.detachForced))
        everything += client.receive(.end(AMQPEnding()))
        everything += client.receive(.close(AMQPEnding()), channel: 0)
        var opening = C()
        let openedResult3 = opening.open()
        _ = try #require(openedResult3)
        let begunResult4 = opening.begin()
        _ = try #require(begunResult4)
        let attachedResult5 = opening.attach(handle: 3, peerRole: .receiver)
        let request = try #require(attachedResult5)
        everything += opening.machine.acceptAttach(request)
        let expected = ["open": 10, "begin": 8, "attach": 14, "flow": 11, "transfer": 11, "disposition": 6, "detach": 3, "end": 1, "close": 1]
        var seen: Set<String> = []
        for performative in C.performatives(everything) {
            guard case .described(_, .list(let fields)) = performative.described else {
                Issue.record("\(performative.name) is not a described list"); continue
            }
            #expect(fields.count == expected[performative.name], "\(performative.name)")
            seen.insert(performative.name)
        }
        #expect(seen == Set(expected.keys).subtracting(["open", "begin"]))
        // The open and begin replies of a fresh connection.
        var fresh = C()
        _ = fresh.receive(.header(.amqp))
        let replies = C.performatives(fresh.receive(.open(AMQPOpen(containerId: "c")), channel: 0))
            + C.performatives(fresh.receive(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 1, outgoingWindow: 1)), channel: 2))
        for performative in replies {
            guard case .described(_, .list(let fields)) = performative.described else { continue }
            #expect(fields.count == expected[performative.name], "\(performative.name)")
        }
        #expect(replies.map(\.name) == ["open", "begin"])
    }

    @Test func tooMuchPipelinedInputWhileAuthenticatingCloses() {
        var client = C()
        _ = client.receive(.header(.sasl))
        _ = client.receive(.frame(.sasl(.initial(mechanism: "ANONYMOUS", initialResponse: nil, hostname: nil))))
        var last: [AMQPConnectionAction] = []
        for _ in 0..<100 where last.isEmpty {
            last = client.receive(.frame(.heartbeat))
        }
        #expect(last == [.closeConnection(AMQPError(condition: AMQPError.Condition.resourceLimitExceeded,
                                                    description: "more than 64 frames before the SASL outcome"))])
        #expect(client.machine.authenticated(true, now: client.now).isEmpty)
    }

    @Test func aPeerFrameSizeBelow512IsRefused() {
        var client = C()
        _ = client.receive(.header(.amqp))
        let actions = client.receive(.open(AMQPOpen(containerId: "tiny", maxFrameSize: 256)), channel: 0)
        #expect(C.performatives(actions).map(\.name) == ["open", "close"])
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.frameSizeTooSmall)
    }

    @Test func aSecondOpenIsAnIllegalState() {
        var client = C()
        client.open()
        let actions = client.receive(.open(AMQPOpen(containerId: "again")), channel: 0)
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.illegalState)
    }

    @Test func thePeersCloseIsAnsweredAndEndsItsLinks() throws {
        var client = C()
        let senderResult6 = client.serverSender()
        let id = try #require(senderResult6)
        let actions = client.receive(.close(AMQPEnding(error: AMQPError(condition: AMQPError.Condition.connectionForced))), channel: 0)
        #expect(actions == [.linkClosed(id, error: nil), .send([.frame(.amqp(.close(AMQPEnding()), channel: 0))]), .closeConnection(nil)])
        #expect(!client.machine.isOpen)
        #expect(client.machine.tick(now: client.now + .seconds(60)).isEmpty)
    }

    @Test func theServerClosesASilentPeerAfterItsOwnTimeout() {
        var client = C()
        client.open()
        #expect(client.machine.nextDeadline() == C.start + .milliseconds(10_001))
        #expect(client.machine.tick(now: C.start + .seconds(9)).isEmpty)
        // A frame (even an empty one) resets the clock.
        client.now = C.start + .seconds(9)
        #expect(client.receive(.frame(.heartbeat)).isEmpty)
        #expect(client.machine.tick(now: C.start + .seconds(15)).isEmpty)
        let actions = client.machine.tick(now: C.start + .milliseconds(19_001))
        #expect(C.closeError(actions)??.condition == AMQPError.Condition.resourceLimitExceeded)
        #expect(C.closesConnection(actions))
    }

    @Test func aPeerSilentBeforeOpenIsDropped() {
        var client = C()
        _ = client.receive(.header(.sasl))
        #expect(client.machine.tick(now: C.start + .seconds(11)) == [.closeConnection(nil)])
    }

    @Test func keepAlivesGoOutAtHalfThePeersTimeoutUnlessOtherFramesDid() {
        var client = C { $0.idleTimeoutMilliseconds = nil }
        client.open(idleTimeOut: 4000)
        #expect(client.machine.nextDeadline() == C.start + .seconds(2))
        #expect(client.machine.tick(now: C.start + .milliseconds(1999)).isEmpty)
        #expect(client.machine.tick(now: C.start + .seconds(2)) == [.send([.frame(.heartbeat)])])
        #expect(client.machine.nextDeadline() == C.start + .seconds(4))
        // Frames the server wrote count as keep-alive.
        client.machine.sent(now: C.start + .seconds(3))
        #expect(client.machine.tick(now: C.start + .seconds(4)).isEmpty)
        #expect(client.machine.tick(now: C.start + .seconds(5)) == [.send([.frame(.heartbeat)])])
        // Without its own timeout the server never closes for silence.
        #expect(client.machine.tick(now: C.start + .seconds(3600)) == [.send([.frame(.heartbeat)])])
    }

    @Test func aTinyPeerTimeoutDoesNotMakeTheServerSpin() {
        var client = C()
        client.open(idleTimeOut: 1)
        #expect(client.machine.tick(now: C.start + .milliseconds(50)).isEmpty)
        #expect(client.machine.tick(now: C.start + .milliseconds(100)) == [.send([.frame(.heartbeat)])])
    }
}
