import AMQPCodec
import Foundation
import Logging
import NIOCore
import NIOSSL
import Provisioning

/// One DPS AMQP connection as the gateway serves it: the engine speaks AMQP; this authenticates the device (SASL
/// PLAIN with its SAS, SASL TPM's challenge exchange, or its TLS client certificate with no SASL, ANONYMOUS or
/// EXTERNAL), accepts the link pair on its own `{scope}/registrations/{reg}` node, and answers its requests one at a
/// time, in order (the C SDK matches replies by order). Driven by one loop; returns what to write and what work to start.
struct DPSAMQPServedConnection {
    /// What one input produced.
    struct Step {
        var outbound: [AMQPOutbound] = []
        var work: [DPSAMQPWork] = []
        /// The open exchange finished: the open deadline no longer applies.
        var openCompleted = false
        /// Close the connection once `outbound` is written.
        var finished = false
    }

    /// Where the TPM SASL exchange stands.
    enum TPMExchange {
        case awaitingStorageRootKey(registrationId: String, endorsementKey: [UInt8])
        case awaitingChallenge(registrationId: String)
        case sendingSegments(registrationId: String, segments: [[UInt8]], sequence: UInt8)
        case awaitingToken(registrationId: String)
    }

    /// Requests the device may have outstanding (the request link's credit).
    static let requestCredit: UInt32 = 10
    /// Replies that may wait for the device's credit on its receiver link.
    static let maximumPendingReplies = 10
    /// The largest part of the TPM challenge one `sasl-challenge` carries (the C SDK's segment size).
    static let tpmSegmentSize = 470

    let endpoint: DPSAMQPEndpoint
    let logger: Logger
    var machine: AMQPConnectionStateMachine
    /// The client's address, charged for refused attestations and TPM challenges.
    let source: String
    let presentedCertificates: @Sendable () -> [NIOSSLCertificate]
    let inject: @Sendable (DPSAMQPConnectionInput) -> Void
    private let limits: AMQPCodecLimits

    private(set) var identity: DPSAMQPIdentity?
    private var tpmExchange: TPMExchange?
    /// Attaches waiting for the client certificate's attestation (started by the first of them).
    private var awaitingCertificate: [AMQPLinkRequest]?
    private var sessionRegistration: AuthorizedSessionRegistry.Registration?
    /// The links of the device's pair: requests arrive on one, replies go out on the other.
    private var requestLinks: [AMQPLinkID: String?] = [:]
    private var replyLink: AMQPLinkID?
    private var queued: [DPSAMQPPendingRequest] = []
    private var inFlight = false
    private var replies: [AMQPMessage] = []

    /// Creates the served state of a new connection.
    init(endpoint: DPSAMQPEndpoint, limits: AMQPCodecLimits, logger: Logger, source: String,
         presentedCertificates: @escaping @Sendable () -> [NIOSSLCertificate] = { [] },
         inject: @escaping @Sendable (DPSAMQPConnectionInput) -> Void = { _ in }) {
        self.endpoint = endpoint
        self.limits = limits
        self.logger = logger
        self.source = source
        self.presentedCertificates = presentedCertificates
        self.inject = inject
        machine = AMQPConnectionStateMachine(configuration: AMQPConnectionConfiguration(
            containerId: "provisio-dps", maxFrameSize: UInt32(clamping: limits.maximumFrameSize),
            idleTimeoutMilliseconds: UInt32(clamping: endpoint.idleTimeout.nanoseconds / 1_000_000),
            saslMechanisms: ["PLAIN", "TPM", "ANONYMOUS", "EXTERNAL"],
            maxMessageSize: UInt64(clamping: limits.maximumMessageSize)), now: .now())
    }

    // MARK: Inputs

    /// Handles one input.
    mutating func handle(_ input: DPSAMQPConnectionInput) -> Step {
        var step = Step()
        switch input {
        case .received(let inbound):
            perform(machine.received(inbound, now: .now()), into: &step)
        case .ended(let error as AMQPCodecError):
            perform(machine.decodingFailed(error), into: &step)
            step.finished = true
        case .ended:
            step.finished = true
        case .tick:
            perform(machine.tick(now: .now()), into: &step)
            if let expiry = identity?.expiry, expiry <= endpoint.now() {
                logger.info("DPS AMQP connection closed: its credential expired")
                perform(machine.close(error: AMQPError(condition: AMQPError.Condition.unauthorizedAccess, description: "the credential expired")),
                        into: &step)
            }
        case .lapsed:
            perform(machine.close(error: AMQPError(condition: AMQPError.Condition.unauthorizedAccess,
                                                   description: "the enrollment or certificate is no longer valid")), into: &step)
        case .completed(let result):
            completed(result, into: &step)
        }
        if !step.outbound.isEmpty { machine.sent(now: .now()) }
        return step
    }

    /// The connection is gone.
    mutating func closed() {
        if let sessionRegistration { endpoint.sessions.unregister(sessionRegistration) }
        sessionRegistration = nil
    }

    private mutating func perform(_ actions: [AMQPConnectionAction], into step: inout Step) {
        for action in actions {
            switch action {
            case .send(let outbound):
                step.outbound += outbound
            case .authenticate(let mechanism, let response, let hostname):
                authenticate(mechanism: mechanism, response: response ?? [], hostname: hostname, into: &step)
            case .opened:
                step.openCompleted = true
            case .attachRequested(let request):
                attach(request, into: &step)
            case .credit(let id, _, let drain):
                guard id == replyLink else { continue }
                sendReplies(into: &step)
                if drain { perform(machine.drained(id), into: &step) }
            case .delivery(let delivery):
                deliver(delivery, into: &step)
            case .outcome(let id, let deliveryId, _, let state, let settled):
                if !settled { perform(machine.settleSent(id, deliveryId: deliveryId, state: state), into: &step) }
            case .linkClosed(let id, _):
                requestLinks[id] = nil
                if replyLink == id { replyLink = nil }
            case .closeConnection(let error):
                if let error { logger.debug("DPS AMQP connection closed", metadata: ["gateway.condition": "\(error.condition)"]) }
                step.finished = true
            }
        }
    }

    // MARK: SASL

    private mutating func authenticate(mechanism: AMQPSymbol, response: [UInt8], hostname: String?, into step: inout Step) {
        if let exchange = tpmExchange {
            continueTPM(exchange, response: response, into: &step)
            return
        }
        switch mechanism.rawValue.uppercased() {
        case "ANONYMOUS", "EXTERNAL":
            // Identity comes from the TLS client certificate when the device attaches its links.
            perform(machine.authenticated(true, now: .now()), into: &step)
        case "PLAIN":
            let parts = response.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
            guard parts.count == 3, let node = DPSAMQPNode(user: String(decoding: parts[1], as: UTF8.self)),
                  node.idScope == endpoint.idScope else {
                logger.info("DPS AMQP SASL PLAIN refused: the user is not {idScope}/registrations/{registrationId}")
                perform(machine.authenticated(false, now: .now()), into: &step)
                return
            }
            let (endpoint, logger, token) = (self.endpoint, self.logger, String(decoding: parts[2], as: UTF8.self))
            step.work.append(DPSAMQPWork {
                .authenticated(await endpoint.attestSymmetricKey(registrationId: node.registrationId, token: token, logger: logger))
            })
        case "TPM":
            guard let (registrationId, endorsementKey) = Self.tpmInitialResponse(response, idScope: endpoint.idScope) else {
                logger.info("DPS AMQP SASL TPM refused: the initial response is not 00 {idScope}\\0{registrationId}\\0 EK")
                perform(machine.authenticated(false, now: .now()), into: &step)
                return
            }
            tpmExchange = .awaitingStorageRootKey(registrationId: registrationId, endorsementKey: endorsementKey)
            perform(machine.challenge([0x00]), into: &step)
        default:
            perform(machine.authenticated(false, now: .now()), into: &step)
        }
    }

    /// `00 || UTF8("{scope}\0{reg}\0") || EK`: the registration id and the EK, when the scope is ours.
    static func tpmInitialResponse(_ response: [UInt8], idScope: String) -> (String, [UInt8])? {
        guard response.first == 0x00 else { return nil }
        let parts = response.dropFirst().split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, String(decoding: parts[0], as: UTF8.self) == idScope, !parts[1].isEmpty, !parts[2].isEmpty else { return nil }
        let registrationId = String(decoding: parts[1], as: UTF8.self)
        guard (try? RegistrationIdentifier.validate(registrationId)) != nil else { return nil }
        return (registrationId, Array(parts[2]))
    }

    /// The TPM challenge in `sasl-challenge` segments: control byte `0x80 | sequence` (`| 0x40` on the last), then data.
    static func tpmSegments(_ blob: [UInt8]) -> [[UInt8]] {
        let chunks = stride(from: 0, to: max(blob.count, 1), by: tpmSegmentSize).map { Array(blob[$0..<min($0 + tpmSegmentSize, blob.count)]) }
        return chunks.enumerated().map { index, chunk in
            let control: UInt8 = 0x80 | UInt8(index & 0x03) | (index == chunks.count - 1 ? 0x40 : 0)
            return [control] + chunk
        }
    }

    private mutating func continueTPM(_ exchange: TPMExchange, response: [UInt8], into step: inout Step) {
        guard response.first == 0x00 else { return refuseTPM("a TPM response without its control byte", into: &step) }
        switch exchange {
        case .awaitingStorageRootKey(let registrationId, let endorsementKey):
            let storageRootKey = Array(response.dropFirst())
            guard !storageRootKey.isEmpty else { return refuseTPM("the TPM response carries no storage root key", into: &step) }
            // Each challenge costs RSA work before anything is authenticated: charged to the client's address.
            if endpoint.unauthenticatedLimiter?.admit(source: source) != nil {
                tpmExchange = nil
                logger.notice("DPS AMQP TPM challenge refused: too many from this address")
                perform(machine.authenticated(false, failureCode: 4, now: .now()), into: &step)
                return
            }
            tpmExchange = .awaitingChallenge(registrationId: registrationId)
            let (endpoint, logger, source) = (self.endpoint, self.logger, self.source)
            step.work.append(DPSAMQPWork {
                .challenged(await endpoint.tpmChallenge(registrationId: registrationId, endorsementKey: endorsementKey,
                                                        storageRootKey: storageRootKey, source: source, logger: logger))
            })
        case .sendingSegments(let registrationId, let segments, let sequence):
            sendSegment(registrationId: registrationId, segments: segments, sequence: sequence, into: &step)
        case .awaitingToken(let registrationId):
            tpmExchange = nil
            let (endpoint, logger, token) = (self.endpoint, self.logger, String(decoding: response.dropFirst(), as: UTF8.self))
            step.work.append(DPSAMQPWork {
                .authenticated(await endpoint.tpmAuthenticate(registrationId: registrationId, token: token, logger: logger))
            })
        case .awaitingChallenge:
            refuseTPM("a TPM response before the challenge", into: &step)
        }
    }

    private mutating func sendSegment(registrationId: String, segments: [[UInt8]], sequence: UInt8, into step: inout Step) {
        guard let segment = segments.first else { return refuseTPM("no challenge to send", into: &step) }
        let rest = Array(segments.dropFirst())
        tpmExchange = rest.isEmpty ? .awaitingToken(registrationId: registrationId)
            : .sendingSegments(registrationId: registrationId, segments: rest, sequence: sequence &+ 1)
        perform(machine.challenge(segment), into: &step)
    }

    private mutating func refuseTPM(_ reason: String, into step: inout Step) {
        tpmExchange = nil
        logger.info("DPS AMQP SASL TPM refused", metadata: ["gateway.reason": "\(reason)"])
        perform(machine.authenticated(false, now: .now()), into: &step)
    }

    // MARK: Work results

    private mutating func completed(_ result: DPSAMQPWorkResult, into step: inout Step) {
        switch result {
        case .authenticated(.success(let identity)):
            admit(identity)
            perform(machine.authenticated(true, now: .now()), into: &step)
        case .authenticated(.failure(let error)):
            logger.info("DPS AMQP authentication refused", metadata: ["dps.reason": "\(error.message)"])
            perform(machine.authenticated(false, failureCode: refusalCode(error), now: .now()), into: &step)
        case .challenged(.success(let blob)):
            guard case .awaitingChallenge(let registrationId) = tpmExchange else { return }
            sendSegment(registrationId: registrationId, segments: Self.tpmSegments(blob), sequence: 0, into: &step)
        case .challenged(.failure(let error)):
            tpmExchange = nil
            logger.info("DPS AMQP TPM challenge refused", metadata: ["dps.reason": "\(error.message)"])
            perform(machine.authenticated(false, failureCode: refusalCode(error), now: .now()), into: &step)
        case .certificateAttested(let result):
            let waiting = awaitingCertificate ?? []
            awaitingCertificate = nil
            switch result {
            case .success(let identity):
                admit(identity)
                for request in waiting { attach(request, into: &step) }
            case .failure(let error):
                logger.info("DPS AMQP certificate refused", metadata: ["dps.reason": "\(error.message)"])
                for request in waiting {
                    perform(machine.refuseAttach(request, error: DPSAMQPReply.rejection(error, retryAfter: nil)), into: &step)
                }
                // Each attach without an identity attests again: past the source's budget of refusals the connection ends.
                if error.status == 401, endpoint.unauthenticatedLimiter?.admit(source: source) != nil {
                    perform(machine.close(error: AMQPError(condition: AMQPError.Condition.resourceLimitExceeded,
                                                           description: "too many refused attestations from this address")), into: &step)
                }
            }
        case .answered(let pending, let answer):
            inFlight = false
            answered(pending, answer, into: &step)
            startNext(into: &step)
        }
    }

    /// SASL outcome for a refusal: `auth` for credentials (and keys that do not parse), `sys-temp` when the store could
    /// not be asked, the service is throttling, or the source is past its budget (the client may retry later). Refused
    /// credentials are unauthenticated work, charged to the source.
    private func refusalCode(_ error: ProvisioningError) -> UInt8 {
        if error.status == 429 || error.status >= 500 { return 4 }
        if endpoint.unauthenticatedLimiter?.admit(source: source) != nil { return 4 }
        return 1
    }

    private mutating func admit(_ identity: DPSAMQPIdentity) {
        self.identity = identity
        let inject = self.inject
        sessionRegistration = endpoint.sessions.register(SessionBinding(
            endpoint: .dps, identity: identity.registrationId, enrollment: identity.enrollment,
            certificateSerial: identity.certificateSerial)) { inject(.lapsed) }
    }

    // MARK: Links

    private mutating func attach(_ request: AMQPLinkRequest, into step: inout Step) {
        let attach = request.attach
        let serverSends = attach.role == .receiver
        let address = (serverSends ? attach.source?.address : attach.target?.address) ?? ""
        guard let node = DPSAMQPNode(address), node.idScope == endpoint.idScope else {
            return refuse(request, AMQPError(condition: AMQPError.Condition.notFound,
                                             description: "the node must be {idScope}/registrations/{registrationId} of this service"),
                          into: &step)
        }
        guard let identity else {
            let presented = presentedCertificates()
            guard !presented.isEmpty else {
                return refuse(request, AMQPError(condition: AMQPError.Condition.unauthorizedAccess,
                                                 description: "authenticate with SASL PLAIN (SAS), SASL TPM or a TLS client certificate"),
                              into: &step)
            }
            if awaitingCertificate != nil {
                awaitingCertificate?.append(request)
                return
            }
            awaitingCertificate = [request]
            let (endpoint, logger) = (self.endpoint, self.logger)
            step.work.append(DPSAMQPWork {
                .certificateAttested(await endpoint.attestCertificate(registrationId: node.registrationId, presented: presented, logger: logger))
            })
            return
        }
        guard node.registrationId == identity.registrationId else {
            return refuse(request, AMQPError(condition: AMQPError.Condition.unauthorizedAccess,
                                             description: "a device may only use its own registration id"), into: &step)
        }
        if serverSends {
            let actions = machine.acceptAttach(request)
            guard !actions.isEmpty else { return }
            replyLink = request.id
            perform(actions, into: &step)
        } else {
            let actions = machine.acceptAttach(request, credit: Self.requestCredit)
            guard !actions.isEmpty else { return }
            requestLinks[request.id] = .some(attach.properties?[symbol: "com.microsoft:api-version"]?.text)
            perform(actions, into: &step)
        }
    }

    private mutating func refuse(_ request: AMQPLinkRequest, _ error: AMQPError, into step: inout Step) {
        logger.debug("DPS AMQP attach refused", metadata: ["gateway.condition": "\(error.condition)", "gateway.link": "\(request.attach.name.prefix(100))"])
        perform(machine.refuseAttach(request, error: error), into: &step)
    }

    // MARK: Requests

    private mutating func deliver(_ delivery: AMQPIncomingDelivery, into step: inout Step) {
        guard let apiVersion = requestLinks[delivery.link] else { return }
        let request: DPSAMQPRequest
        do {
            request = try DPSAMQPRequest(try AMQPMessage(decoding: delivery.payload, limits: limits))
        } catch let error as ProvisioningError {
            return settle(delivery.link, delivery.deliveryId, settled: delivery.settled,
                          .rejected(DPSAMQPReply.rejection(error, retryAfter: nil)), into: &step)
        } catch {
            return settle(delivery.link, delivery.deliveryId, settled: delivery.settled,
                          .rejected(DPSAMQPReply.rejection(.badRequest("the request is not a well-formed AMQP message"), retryAfter: nil)),
                          into: &step)
        }
        queued.append(DPSAMQPPendingRequest(link: delivery.link, deliveryId: delivery.deliveryId, settled: delivery.settled,
                                            request: request, apiVersion: apiVersion))
        startNext(into: &step)
    }

    /// Starts the oldest queued request when none is in flight and replies are not piling up unread.
    private mutating func startNext(into step: inout Step) {
        guard !inFlight, replies.count < Self.maximumPendingReplies, !queued.isEmpty, let identity else { return }
        let pending = queued.removeFirst()
        inFlight = true
        let (endpoint, logger) = (self.endpoint, self.logger)
        step.work.append(DPSAMQPWork { .answered(pending, await endpoint.answer(pending, identity: identity, logger: logger)) })
    }

    private mutating func answered(_ pending: DPSAMQPPendingRequest, _ answer: DPSAMQPAnswer, into step: inout Step) {
        switch answer {
        case .reply(let message):
            // Settled before the reply goes out (uamqp-c counts a reply that beats its send confirmation as failed).
            settle(pending.link, pending.deliveryId, settled: pending.settled, .accepted, into: &step)
            replies.append(message)
            sendReplies(into: &step)
        case .reject(let error, let retryAfter, let closing):
            settle(pending.link, pending.deliveryId, settled: pending.settled, .rejected(DPSAMQPReply.rejection(error, retryAfter: retryAfter)),
                   into: &step)
            if closing {
                perform(machine.close(error: AMQPError(condition: AMQPError.Condition.unauthorizedAccess, description: error.message)),
                        into: &step)
            }
        }
        // The request link's credit is topped up as requests finish, less what still waits.
        if requestLinks[pending.link] != nil {
            let queuedCount = UInt32(clamping: queued.count)
            let credit = Self.requestCredit > queuedCount ? Self.requestCredit - queuedCount : 0
            perform(machine.grantCredit(pending.link, credit: credit), into: &step)
        }
    }

    private mutating func settle(_ link: AMQPLinkID, _ deliveryId: UInt32, settled: Bool, _ state: AMQPDeliveryState, into step: inout Step) {
        guard !settled else { return }
        perform(machine.settle(link, deliveryId: deliveryId, state: state), into: &step)
    }

    private mutating func sendReplies(into step: inout Step) {
        guard let replyLink else { return }
        while let message = replies.first {
            guard let (_, actions) = machine.send(message.encoded, on: replyLink, deliveryTag: Self.deliveryTag(), settled: false) else { break }
            replies.removeFirst()
            perform(actions, into: &step)
        }
        startNext(into: &step)
    }

    /// 16 bytes: the C# clients read delivery tags as GUIDs.
    static func deliveryTag() -> [UInt8] {
        withUnsafeBytes(of: UUID().uuid) { Array($0) }
    }
}
