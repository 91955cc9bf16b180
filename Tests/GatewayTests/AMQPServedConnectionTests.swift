import AccessControl
import AMQPCodec
import Foundation
@testable import Gateway
import Hub
import Logging
import NIOCore
import Testing

/// One AMQP connection of a shard driven frame by frame without sockets: the engine, SASL, `$cbs`, link
/// authorization and the C2D link over in-memory hub stores; link work is run by the test and fed back.
@Suite struct AMQPServedConnectionTests {
    let fixture = HubServiceFixture()

    /// A served connection, the inputs fed to it, and everything it wrote.
    struct Peer {
        var connection: AMQPServedConnection
        var written: [AMQPOutbound] = []
        var finished = false

        /// Feeds one input and runs the work it starts (and the work that work starts) to completion.
        mutating func feed(_ input: AMQPConnectionInput) async {
            var inputs = [input]
            while !inputs.isEmpty {
                let step = connection.handle(inputs.removeFirst(), now: HubServiceFixture.now)
                written += step.outbound
                finished = finished || step.finished
                for work in step.work { inputs.append(.completed(await work.run())) }
            }
        }

        mutating func frame(_ performative: AMQPPerformative, channel: UInt16 = 0, payload: ByteBuffer = ByteBuffer()) async {
            await feed(.received(.frame(.amqp(channel: channel, performative: performative, payload: payload))))
        }

        /// Performatives written since `index`.
        func performatives(from index: Int = 0) -> [AMQPPerformative] {
            written[index...].compactMap {
                if case .frame(.amqp(_, let performative?, _)) = $0 { return performative }
                return nil
            }
        }

        /// The transfers written since `index` with their payloads.
        func transfers(from index: Int = 0) -> [(AMQPTransfer, ByteBuffer)] {
            written[index...].compactMap {
                if case .frame(.amqp(_, .transfer(let transfer)?, let payload)) = $0 { return (transfer, payload) }
                return nil
            }
        }
    }

    func peer() -> Peer {
        let verifier = ClaimsTokenVerifier(hostNames: ["127.0.0.2"], entityPath: "hub-1",
                                           policies: [fixture.owner, fixture.service, fixture.registryReader])
        let endpoint = AMQPHubEndpoint(shard: fixture.shard, routing: nil, verifier: verifier, entity: "hub-1", hostName: "127.0.0.2",
                                       amqpPort: 5671, createdAt: HubServiceFixture.now, now: { HubServiceFixture.now })
        return Peer(connection: AMQPServedConnection(endpoint: endpoint, limits: AMQPCodecLimits(maximumFrameSize: 65_536),
                                                     logger: Logger(label: "test")))
    }

    /// SASL ANONYMOUS, open, begin on channel 0, and the `$cbs` link pair (handles 0 and 1, 10 credits for replies).
    func opened() async -> Peer {
        var peer = peer()
        await peer.feed(.received(.header(.sasl)))
        await peer.feed(.received(.frame(.sasl(.initial(mechanism: "ANONYMOUS", initialResponse: nil, hostname: "127.0.0.2")))))
        await peer.feed(.received(.header(.amqp)))
        await peer.frame(.open(AMQPOpen(containerId: "client", maxFrameSize: 65_536)))
        await peer.frame(.begin(AMQPBegin(nextOutgoingId: 0, incomingWindow: 1000, outgoingWindow: 1000)))
        await peer.frame(.attach(AMQPAttach(name: "cbs-sender", handle: 0, role: .sender, source: AMQPTerminus(address: "$cbs"),
                                            target: AMQPTerminus(address: "$cbs"), initialDeliveryCount: 0)))
        await peer.frame(.attach(AMQPAttach(name: "cbs-receiver", handle: 1, role: .receiver, source: AMQPTerminus(address: "$cbs"),
                                            target: AMQPTerminus(address: "$cbs"))))
        await peer.frame(.flow(AMQPFlow(nextIncomingId: 0, incomingWindow: 1000, nextOutgoingId: 0, outgoingWindow: 1000, handle: 1,
                                        deliveryCount: 0, linkCredit: 10)))
        return peer
    }

    /// A put-token as uamqp sends it (message-id ulong 0); returns the reply's status code.
    func putToken(_ peer: inout Peer, token: String, audience: String = "https://127.0.0.2", deliveryId: UInt32 = 0) async
        -> (status: AMQPValue?, correlation: AMQPValue?, settledFirst: Bool) {
        var application = AMQPMap()
        application[string: "operation"] = "put-token"
        application[string: "type"] = "servicebus.windows.net:sastoken"
        application[string: "name"] = .string(audience)
        let request = AMQPMessage(properties: AMQPMessageProperties(messageId: .ulong(0)), applicationProperties: application,
                                  body: .value(.string(token)))
        let start = peer.written.count
        await peer.frame(.transfer(AMQPTransfer(handle: 0, deliveryId: deliveryId, deliveryTag: [1], messageFormat: 0, settled: false)),
                         payload: request.encoded)
        let performatives = peer.performatives(from: start)
        let disposition = performatives.firstIndex { if case .disposition = $0 { true } else { false } }
        let transfer = performatives.firstIndex { if case .transfer = $0 { true } else { false } }
        guard let (_, payload) = peer.transfers(from: start).first, let reply = try? AMQPMessage(decoding: payload) else {
            return (nil, nil, false)
        }
        return (reply.applicationProperties?[string: "status-code"], reply.properties?.correlationId,
                disposition != nil && transfer != nil && disposition! < transfer!)
    }

    @Test("put-token: 200 with the request's ulong message-id as correlation-id, the request settled before the reply")
    func putTokenAccepted() async throws {
        var peer = await opened()
        let reply = await putToken(&peer, token: fixture.token(fixture.service, resource: "127.0.0.2"))
        #expect(reply.status == .int(200))
        #expect(reply.correlation == .ulong(0))
        #expect(reply.settledFirst, "uamqp-c needs the disposition before the reply")
    }

    @Test("a wrong signature is 401 and authorizes nothing: the C2D link is refused with amqp:unauthorized-access")
    func putTokenRefused() async throws {
        var peer = await opened()
        let forged = SharedAccessSignature.make(resource: "127.0.0.2", key: SharedAccessKey(bytes: Array(repeating: 7, count: 32)),
                                                expiry: Int64(HubServiceFixture.now.timeIntervalSince1970) + 3600, keyName: "service")
        #expect(await putToken(&peer, token: forged).status == .int(401))
        let start = peer.written.count
        await peer.frame(.attach(AMQPAttach(name: "c2d", handle: 2, role: .sender, source: AMQPTerminus(address: "svc"),
                                            target: AMQPTerminus(address: "amqps://127.0.0.2/messages/devicebound"),
                                            initialDeliveryCount: 0)))
        let detach = peer.performatives(from: start).compactMap { if case .detach(let detach) = $0 { detach } else { nil } }.first
        #expect(detach?.error?.condition == AMQPError.Condition.unauthorizedAccess)
    }

    @Test("a policy without ServiceConnect cannot attach the C2D link")
    func permissionChecked() async throws {
        var peer = await opened()
        #expect(await putToken(&peer, token: fixture.token(fixture.registryReader, resource: "127.0.0.2")).status == .int(200))
        let start = peer.written.count
        await peer.frame(.attach(AMQPAttach(name: "c2d", handle: 2, role: .sender, source: AMQPTerminus(address: "svc"),
                                            target: AMQPTerminus(address: "/messages/devicebound"), initialDeliveryCount: 0)))
        let detach = peer.performatives(from: start).compactMap { if case .detach(let detach) = $0 { detach } else { nil } }.first
        #expect(detach?.error?.condition == AMQPError.Condition.unauthorizedAccess)
    }

    @Test("C2D: accepted only once queued (with the SDK's properties), rejected with amqp:not-found for an unknown device")
    func cloudToDevice() async throws {
        _ = try await fixture.shard.createOrUpdateDevice(DeviceSpecification(deviceId: "dev1"), ifMatch: nil)
        var peer = await opened()
        #expect(await putToken(&peer, token: fixture.token(fixture.service, resource: "127.0.0.2")).status == .int(200))
        var start = peer.written.count
        await peer.frame(.attach(AMQPAttach(name: "c2d", handle: 2, role: .sender, receiverSettleMode: .second,
                                            source: AMQPTerminus(address: "svc"),
                                            target: AMQPTerminus(address: "amqps://127.0.0.2/messages/devicebound"), initialDeliveryCount: 0)))
        let attach = peer.performatives(from: start).compactMap { if case .attach(let attach) = $0 { attach } else { nil } }.first
        #expect((attach?.maxMessageSize ?? 0) > 1024, "max-message-size advertised")
        let credit = peer.performatives(from: start).compactMap { if case .flow(let flow) = $0 { flow.linkCredit } else { nil } }.last
        #expect((credit ?? 0) > 0)

        var application = AMQPMap()
        application[string: "prop"] = "v"
        application[string: "num"] = .int(5)
        application[string: "iothub-ack"] = "full"
        var properties = AMQPMessageProperties(messageId: "m1", to: "/devices/dev1/messages/devicebound", correlationId: "c1",
                                               contentType: "application/json", contentEncoding: "utf-8")
        properties.absoluteExpiryTime = Int64(HubServiceFixture.now.timeIntervalSince1970 * 1000) + 60_000
        let message = AMQPMessage(properties: properties, applicationProperties: application, body: .data([Array("hi".utf8)]))
        start = peer.written.count
        await peer.frame(.transfer(AMQPTransfer(handle: 2, deliveryId: 1, deliveryTag: [1, 0, 0, 0], messageFormat: 0, settled: false)),
                         payload: message.encoded)
        let accepted = peer.performatives(from: start).compactMap { if case .disposition(let d) = $0 { d } else { nil } }.first
        #expect(accepted?.state == .accepted && accepted?.first == 1)
        let queuedMessages = await fixture.store.queuedMessages()
        let queued = try #require(queuedMessages.first)
        #expect(queued.deviceId == "dev1" && queued.messageId == "m1" && queued.correlationId == "c1")
        #expect(queued.contentType == "application/json" && queued.contentEncoding == "utf-8")
        #expect(queued.properties == ["prop": "v", "num": "5"] && queued.ack == .full)
        #expect(abs(queued.expiryTime.timeIntervalSince(HubServiceFixture.now) - 60) < 1)

        var unknown = message
        unknown.properties?.to = "/devices/nobody/messages/devicebound"
        start = peer.written.count
        await peer.frame(.transfer(AMQPTransfer(handle: 2, deliveryId: 2, deliveryTag: [2, 0, 0, 0], messageFormat: 0, settled: false)),
                         payload: unknown.encoded)
        let rejected = peer.performatives(from: start).compactMap { if case .disposition(let d) = $0 { d } else { nil } }.first
        guard case .rejected(let error)? = rejected?.state else {
            Issue.record("not rejected: \(String(describing: rejected))")
            return
        }
        #expect(error?.condition == AMQPError.Condition.notFound)
        #expect(await fixture.store.queuedMessages().count == 1)
    }

    @Test("an address the hub does not have is refused with amqp:not-found; the connection stays open")
    func unknownNode() async throws {
        var peer = await opened()
        let start = peer.written.count
        await peer.frame(.attach(AMQPAttach(name: "x", handle: 3, role: .receiver, source: AMQPTerminus(address: "amqps://127.0.0.2/nothing"),
                                            target: AMQPTerminus(address: "me"))))
        let detach = peer.performatives(from: start).compactMap { if case .detach(let detach) = $0 { detach } else { nil } }.first
        #expect(detach?.error?.condition == AMQPError.Condition.notFound)
        #expect(!peer.finished)
    }
}
