import Foundation

/// A benchmark's output: a table for people and one JSON line (starting `{"benchmark":`) for scripts.
struct BenchmarkReport: Sendable, Encodable {
    var benchmark: String
    var date: String
    var machine: MachineDescription
    var parameters: [String: String]
    var rows: [ResultRow] = []
    /// Derived figures (ratios, targets) by name.
    var summary: [String: Double] = [:]
    var notes: [String] = []

    /// Starts a report now.
    init(benchmark: String, parameters: [String: String]) {
        self.benchmark = benchmark
        self.parameters = parameters
        date = ISO8601DateFormatter().string(from: Date())
        machine = .current()
    }

    /// Prints the table, the summary, the notes and the JSON line.
    func emit() throws {
        print("")
        print("== \(benchmark) — \(date), \(machine.cores) cores (\(machine.cpuModel)), load average at start \(machine.loadAverage)")
        print("   " + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
        let header = ["phase", "ops", "fail", "seconds", "ops/s", "p50 ms", "p99 ms", "all p50", "all p99", "srv CPU", "gen CPU", "other CPU", "srv µs/op"]
        let lines = rows.map { row -> [String] in
            [row.name, "\(row.operations)", "\(row.failures)", Self.format(row.seconds, 2), Self.format(row.ratePerSecond, 1),
             Self.format(row.p50Milliseconds, 2), Self.format(row.p99Milliseconds, 2),
             Self.format(row.totalP50Milliseconds, 2), Self.format(row.totalP99Milliseconds, 2),
             Self.format(row.serverCPU, 2), Self.format(row.generatorCPU, 2), Self.format(row.otherCPU, 2),
             Self.format(row.serverCPUMicrosecondsPerOperation, 0)]
        }
        let widths = header.indices.map { column in ([header] + lines).map { $0[column].count }.max() ?? 0 }
        func render(_ cells: [String]) -> String {
            cells.enumerated().map { index, cell in
                index == 0 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                    : String(repeating: " ", count: widths[index] - cell.count) + cell
            }.joined(separator: " | ")
        }
        print(render(header))
        print(widths.map { String(repeating: "-", count: $0) }.joined(separator: "-|-"))
        for line in lines { print(render(line)) }
        for row in rows {
            if let error = row.firstError { print("   \(row.name): first error: \(error)") }
            if let throttled = row.throttled, throttled > 0 { print("   \(row.name): \(throttled) answers were 429 (throttled)") }
        }
        for (name, value) in summary.sorted(by: { $0.key < $1.key }) { print("   \(name): \(Self.format(value, 3))") }
        for note in notes { print("   note: \(note)") }
        print("   (CPU columns: CPU seconds per wall second of the server, this load generator, and every other process on the machine;")
        print("    srv µs/op: server CPU per operation;")
        print("    all p50/p99: the whole device attempt including TCP and TLS where the phase opens a connection per device)")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        print(String(decoding: try encoder.encode(self), as: UTF8.self))
    }

    private static func format(_ value: Double?, _ decimals: Int) -> String {
        guard let value else { return "-" }
        return String(format: "%.\(decimals)f", value)
    }
}
