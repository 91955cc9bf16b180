import Foundation
import Routing

/// Where an Event Hubs partition receiver starts, from the `apache.org:selector-filter:string` of its attach
/// (`amqp.annotation.x-opt-offset > '-1'`, `… > '@latest'`, `amqp.annotation.x-opt-sequence-number >= '5'`,
/// `amqp.annotation.x-opt-enqueued-time > '1704164645678'`; `>=` is inclusive, `>` exclusive).
///
/// Offsets: Provisio's event logs are numbered per partition from 0 and never renumbered, so an event's offset
/// (`x-opt-offset`, `last_enqueued_offset`) is its sequence number as a decimal string (``offset(ofSequenceNumber:)``),
/// and an offset position is a sequence-number position. Enqueued times are whole milliseconds, rounded down.
public struct EventPosition: Sendable, Equatable {
    /// What the position is relative to.
    public enum Anchor: Sendable, Equatable {
        /// The start of the stream (offset `-1`): the oldest retained event.
        case earliest
        /// The end of the stream (`@latest`): only events enqueued from now on.
        case latest
        /// An offset (in Provisio, a sequence number's decimal text).
        case offset(Int64)
        /// A sequence number.
        case sequenceNumber(Int64)
        /// An enqueued time in milliseconds since 1970.
        case enqueuedTime(milliseconds: Int64)
    }

    /// What the position is relative to.
    public var anchor: Anchor
    /// Whether the event at the anchor itself is delivered (`>=`) or only those after it (`>`).
    public var inclusive: Bool

    /// Creates a position.
    public init(_ anchor: Anchor, inclusive: Bool = false) {
        self.anchor = anchor
        self.inclusive = inclusive
    }

    /// A receiver that sent no selector filter starts at the oldest retained event, as Event Hubs does.
    public static let unfiltered = EventPosition(.earliest)

    /// The offset text of the event with `sequenceNumber` (what `x-opt-offset` carries).
    public static func offset(ofSequenceNumber sequenceNumber: Int64) -> String { String(sequenceNumber) }

    /// Parses a selector filter string; anything but the forms above is an `EventPositionError`.
    public init(selector: String) throws(EventPositionError) {
        var text = Substring(selector).drop { $0 == " " }
        let prefix = "amqp.annotation."
        guard text.lowercased().hasPrefix(prefix) else {
            throw EventPositionError(.unsupportedFilter, "the selector filter must compare amqp.annotation.x-opt-offset, "
                + "x-opt-sequence-number or x-opt-enqueued-time")
        }
        text = text.dropFirst(prefix.count)
        let name = text.prefix { $0.isLetter || $0.isNumber || $0 == "-" }
        text = text.dropFirst(name.count).drop { $0 == " " }
        let inclusive: Bool
        if text.hasPrefix(">=") {
            inclusive = true
            text = text.dropFirst(2)
        } else if text.hasPrefix(">") {
            inclusive = false
            text = text.dropFirst(1)
        } else {
            throw EventPositionError(.unsupportedFilter, "the selector filter's operator must be > or >=")
        }
        text = text.drop { $0 == " " }
        while text.last == " " { text = text.dropLast() }
        guard text.count >= 2, text.first == "'", text.last == "'" else {
            throw EventPositionError(.unsupportedFilter, "the selector filter's value must be in single quotes")
        }
        let value = String(text.dropFirst().dropLast())
        switch name.lowercased() {
        case "x-opt-offset":
            if value == "-1" {
                self.init(.earliest, inclusive: inclusive)
            } else if value.lowercased() == "@latest" {
                self.init(.latest, inclusive: inclusive)
            } else {
                self.init(.offset(try Self.number(value, field: "offset")), inclusive: inclusive)
            }
        case "x-opt-sequence-number":
            self.init(.sequenceNumber(try Self.number(value, field: "sequence number")), inclusive: inclusive)
        case "x-opt-enqueued-time":
            self.init(.enqueuedTime(milliseconds: try Self.number(value, field: "enqueued time")), inclusive: inclusive)
        default:
            throw EventPositionError(.unsupportedFilter, "the selector filter cannot compare amqp.annotation.\(name)")
        }
    }

    /// The first sequence number to deliver from a partition holding `range`. `eventAtOrAfter` finds the oldest retained
    /// event enqueued at or after a time (only enqueued-time positions ask). A position before the oldest retained event
    /// starts there; one past the newest waits for the next event; a sequence number or offset beyond the next one is
    /// an error, as Event Hubs answers it.
    public func startSequenceNumber(
        in range: EventPartitionRange, eventAtOrAfter: (Date) async throws -> Int64?
    ) async throws -> Int64 {
        let next = max(range.lastSequenceNumber, -1) + 1
        let oldest = max(0, min(range.firstSequenceNumber, next))
        switch anchor {
        case .earliest:
            return oldest
        case .latest:
            return next
        case .offset(let number), .sequenceNumber(let number):
            let (start, overflow) = inclusive ? (number, false) : number.addingReportingOverflow(1)
            guard !overflow, start <= next else {
                throw EventPositionError(.outOfRange, "the \(anchor.field) \(number) is beyond the partition's last "
                    + "sequence number \(range.lastSequenceNumber)")
            }
            return max(start, oldest)
        case .enqueuedTime(let milliseconds):
            // Exclusive: events in later milliseconds only.
            let (bound, overflow) = inclusive ? (milliseconds, false) : milliseconds.addingReportingOverflow(1)
            guard !overflow else { return next }
            let time = Date(timeIntervalSince1970: Double(bound) / 1000)
            guard let found = try await eventAtOrAfter(time) else { return next }
            return min(max(found, oldest), next)
        }
    }

    /// The same against a shard's event log `endpoint` (the built-in `events`).
    public func startSequenceNumber(routing: ShardRouting, endpoint: String, partition: Int) async throws -> Int64 {
        guard let range = try await routing.partitions(endpoint: endpoint).first(where: { $0.partition == partition }) else {
            throw RoutingError(.notFound, "no partition \(partition)")
        }
        return try await startSequenceNumber(in: range) { time in
            try await routing.firstSequenceNumber(endpoint: endpoint, partition: partition, enqueuedAtOrAfter: time)
        }
    }

    /// A decimal Int64 (an optional minus sign and digits); anything else is refused rather than guessed.
    private static func number(_ text: String, field: String) throws(EventPositionError) -> Int64 {
        let digits = text.hasPrefix("-") ? text.dropFirst() : Substring(text)
        guard !digits.isEmpty, digits.count <= 19, digits.allSatisfy({ $0.isASCII && $0.isNumber }), let value = Int64(text) else {
            throw EventPositionError(.invalidValue, "the selector filter's \(field) '\(text.prefix(64))' is not a whole number")
        }
        guard value >= -1 else {
            throw EventPositionError(.invalidValue, "the selector filter's \(field) must not be below -1")
        }
        return value
    }
}

extension EventPosition.Anchor {
    /// The field name for messages.
    var field: String {
        switch self {
        case .earliest, .latest, .offset: "offset"
        case .sequenceNumber: "sequence number"
        case .enqueuedTime: "enqueued time"
        }
    }
}
