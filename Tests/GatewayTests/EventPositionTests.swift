import Foundation
import Gateway
import Routing
import Testing

/// Event Hubs starting positions: the selector strings `azure-eventhub` 5.15.1 sends (produced by its own
/// `azure.eventhub._utils.event_position_selector`), and where each starts in a partition.
@Suite struct EventPositionTests {
    struct Case: Sendable, CustomTestStringConvertible {
        var selector: String
        var position: EventPosition
        var testDescription: String { selector }
    }

    @Test("Every selector form of the client parses", arguments: [
        Case(selector: "amqp.annotation.x-opt-offset > '-1'", position: EventPosition(.earliest)),
        Case(selector: "amqp.annotation.x-opt-offset > '@latest'", position: EventPosition(.latest)),
        Case(selector: "amqp.annotation.x-opt-sequence-number > '5'", position: EventPosition(.sequenceNumber(5))),
        Case(selector: "amqp.annotation.x-opt-sequence-number >= '5'", position: EventPosition(.sequenceNumber(5), inclusive: true)),
        Case(selector: "amqp.annotation.x-opt-enqueued-time > '1704164645678'",
             position: EventPosition(.enqueuedTime(milliseconds: 1_704_164_645_678))),
        Case(selector: "amqp.annotation.x-opt-offset > '512'", position: EventPosition(.offset(512))),
        Case(selector: "amqp.annotation.x-opt-offset >= '512'", position: EventPosition(.offset(512), inclusive: true)),
        Case(selector: "  AMQP.Annotation.X-Opt-Offset>='0'  ", position: EventPosition(.offset(0), inclusive: true)),
    ])
    func parses(_ testCase: Case) throws {
        #expect(try EventPosition(selector: testCase.selector) == testCase.position)
    }

    @Test("Anything else is a typed error", arguments: [
        ("x-opt-offset > '-1'", EventPositionError.Code.unsupportedFilter),
        ("amqp.annotation.x-opt-partition-key > 'a'", .unsupportedFilter),
        ("amqp.annotation.x-opt-offset = '5'", .unsupportedFilter),
        ("amqp.annotation.x-opt-offset < '5'", .unsupportedFilter),
        ("amqp.annotation.x-opt-offset > 5", .unsupportedFilter),
        ("amqp.annotation.x-opt-offset > '", .unsupportedFilter),
        ("amqp.annotation.x-opt-offset > 'abc'", .invalidValue),
        ("amqp.annotation.x-opt-sequence-number > '99999999999999999999'", .invalidValue),
        ("amqp.annotation.x-opt-sequence-number > '-2'", .invalidValue),
        ("amqp.annotation.x-opt-enqueued-time > '1.5'", .invalidValue),
        ("amqp.annotation.x-opt-sequence-number > '+5'", .invalidValue),
        ("", .unsupportedFilter),
    ])
    func refuses(_ selector: String, _ code: EventPositionError.Code) {
        let error = #expect(throws: EventPositionError.self) { try EventPosition(selector: selector) }
        #expect(error?.code == code, "\(selector): \(error?.message ?? "-")")
    }

    /// A partition holding 10…19 (0…9 removed by retention), events enqueued at 1000 ms × sequence number.
    let range = EventPartitionRange(partition: 0, firstSequenceNumber: 10, lastSequenceNumber: 19)
    func byTime(_ time: Date) -> Int64? {
        let sequence = Int64(time.timeIntervalSince1970.rounded(.up))
        return sequence <= 19 ? max(sequence, 10) : nil
    }

    func start(_ position: EventPosition, in range: EventPartitionRange? = nil) async throws -> Int64 {
        try await position.startSequenceNumber(in: range ?? self.range) { byTime($0) }
    }

    @Test("Positions resolve against the partition's retained range")
    func resolves() async throws {
        #expect(try await start(EventPosition(.earliest)) == 10)
        #expect(try await start(EventPosition(.latest)) == 20)
        #expect(try await start(EventPosition(.sequenceNumber(12))) == 13)
        #expect(try await start(EventPosition(.sequenceNumber(12), inclusive: true)) == 12)
        #expect(try await start(EventPosition(.offset(19))) == 20)
        #expect(try await start(EventPosition(.offset(20), inclusive: true)) == 20)
        // Before the retained range: from the oldest retained event.
        #expect(try await start(EventPosition(.sequenceNumber(3))) == 10)
        #expect(try await start(EventPosition(.sequenceNumber(-1))) == 10)
        // By time: inclusive takes the event of that millisecond, exclusive the next; past the end waits for new ones.
        #expect(try await start(EventPosition(.enqueuedTime(milliseconds: 15_000), inclusive: true)) == 15)
        #expect(try await start(EventPosition(.enqueuedTime(milliseconds: 15_000))) == 16)
        #expect(try await start(EventPosition(.enqueuedTime(milliseconds: 0))) == 10)
        #expect(try await start(EventPosition(.enqueuedTime(milliseconds: 90_000))) == 20)
        #expect(try await start(EventPosition(.enqueuedTime(milliseconds: .max))) == 20)
        // An empty partition (nothing yet) starts at 0 whatever the position.
        let empty = EventPartitionRange(partition: 1, firstSequenceNumber: 0, lastSequenceNumber: -1)
        #expect(try await start(EventPosition(.earliest), in: empty) == 0)
        #expect(try await start(EventPosition(.latest), in: empty) == 0)
        #expect(try await start(EventPosition(.offset(-1)), in: empty) == 0)
        #expect(EventPosition.offset(ofSequenceNumber: 512) == "512")
    }

    @Test("A sequence number or offset beyond the next one is out of range; Int64.max does not trap")
    func outOfRange() async throws {
        for position in [EventPosition(.sequenceNumber(20)), EventPosition(.offset(21), inclusive: true),
                         EventPosition(.sequenceNumber(.max)), EventPosition(.offset(.max), inclusive: true)] {
            let error = await #expect(throws: EventPositionError.self) { try await start(position) }
            #expect(error?.code == .outOfRange)
        }
    }
}
