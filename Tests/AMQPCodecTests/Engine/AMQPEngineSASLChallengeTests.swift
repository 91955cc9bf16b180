import AMQPCodec
import NIOCore
import Testing

/// SASL exchanges with challenges (DPS's `TPM` mechanism): the server asks, the peer answers, the server decides.
@Suite struct AMQPEngineSASLChallengeTests {
    static let start = AMQPConnectionStateMachineTests.start

    static func machine() -> AMQPConnectionStateMachine {
        AMQPConnectionStateMachineTests.machine { $0.saslMechanisms = ["TPM", "PLAIN"] }
    }

    static func initiated(_ machine: inout AMQPConnectionStateMachine) {
        _ = machine.received(.header(.sasl), now: start)
        let actions = machine.received(.frame(.sasl(.initial(mechanism: "TPM", initialResponse: [0, 1, 2], hostname: "s/registrations/r"))),
                                       now: start)
        #expect(actions == [.authenticate(mechanism: "TPM", initialResponse: [0, 1, 2], hostname: "s/registrations/r")])
    }

    @Test func challengesAndResponsesAlternateUntilTheOutcome() {
        var machine = Self.machine()
        Self.initiated(&machine)
        #expect(machine.challenge([0x00]) == [.send([.frame(.sasl(.challenge([0x00])))])])
        #expect(machine.received(.frame(.sasl(.response([0x00, 9, 9]))), now: Self.start)
            == [.authenticate(mechanism: "TPM", initialResponse: [0x00, 9, 9], hostname: nil)])
        #expect(machine.challenge([0xC0, 7]) == [.send([.frame(.sasl(.challenge([0xC0, 7])))])])
        #expect(machine.received(.frame(.sasl(.response([0x00, 65]))), now: Self.start)
            == [.authenticate(mechanism: "TPM", initialResponse: [0x00, 65], hostname: nil)])
        let accepted = machine.authenticated(true, now: Self.start)
        #expect(accepted == [.send([.frame(.sasl(.outcome(code: 0, additionalData: nil)))])])
        #expect(machine.received(.header(.amqp), now: Self.start) == [.send([.header(.amqp)])])
    }

    @Test func aRefusalWhileChallengedEndsTheConnection() {
        var machine = Self.machine()
        Self.initiated(&machine)
        _ = machine.challenge([0x00])
        #expect(machine.authenticated(true, now: Self.start).isEmpty, "no acceptance without the peer's response")
        let refused = machine.authenticated(false, now: Self.start)
        #expect(refused == [.send([.frame(.sasl(.outcome(code: 1, additionalData: nil)))]), .closeConnection(nil)])
    }

    @Test func inputBeforeTheResponseIsQueuedNotDecided() {
        var machine = Self.machine()
        Self.initiated(&machine)
        _ = machine.challenge([0x00])
        #expect(machine.received(.header(.amqp), now: Self.start).isEmpty, "queued")
        #expect(machine.received(.frame(.sasl(.response([1]))), now: Self.start)
            == [.authenticate(mechanism: "TPM", initialResponse: [1], hostname: nil)])
        let accepted = machine.authenticated(true, now: Self.start)
        #expect(accepted == [.send([.frame(.sasl(.outcome(code: 0, additionalData: nil)))]), .send([.header(.amqp)])])
    }

    @Test func aResponseWithoutAChallengeIsAFramingError() {
        var machine = Self.machine()
        Self.initiated(&machine)
        _ = machine.authenticated(true, now: Self.start)
        let actions = machine.received(.frame(.sasl(.response([1]))), now: Self.start)
        #expect(actions.contains { if case .closeConnection = $0 { return true }; return false })
    }

    @Test func aChallengeOutsideAnExchangeSendsNothing() {
        var machine = Self.machine()
        #expect(machine.challenge([0]).isEmpty)
        Self.initiated(&machine)
        _ = machine.authenticated(true, now: Self.start)
        #expect(machine.challenge([0]).isEmpty)
    }
}
