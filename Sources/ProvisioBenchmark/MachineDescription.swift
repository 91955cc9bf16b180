import Foundation

/// Where a benchmark ran, so figures can be compared honestly.
struct MachineDescription: Sendable, Encodable {
    var cores: Int
    var cpuModel: String
    var memoryGiB: Double
    /// `/proc/loadavg` when the benchmark started: other work on the machine skews the figures.
    var loadAverage: String

    /// Reads the current machine.
    static func current() -> MachineDescription {
        let info = ProcessInfo.processInfo
        let cpuinfo = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8)) ?? ""
        let model = cpuinfo.split(separator: "\n").first { $0.hasPrefix("model name") }
            .map { $0.split(separator: ":", maxSplits: 1).last.map { $0.trimmingCharacters(in: .whitespaces) } ?? "" } ?? "unknown"
        let load = ((try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8)) ?? "")
            .split(separator: " ").prefix(3).joined(separator: " ")
        return MachineDescription(cores: info.activeProcessorCount, cpuModel: model,
                                  memoryGiB: (Double(info.physicalMemory) / 1_073_741_824 * 10).rounded() / 10,
                                  loadAverage: load)
    }
}
