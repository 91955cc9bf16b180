import Foundation

/// Busy CPU time of the whole machine (all processes), from the first line of `/proc/stat`, so a phase can say
/// how much CPU other work on a shared machine took from it.
enum MachineCPU {
    /// Busy CPU seconds since boot (user, nice, system, irq, softirq, steal); nil without `/proc`.
    static func busySeconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/stat", encoding: .utf8),
              let line = text.split(separator: "\n").first, line.hasPrefix("cpu ")
        else { return nil }
        let ticks = line.split(separator: " ").dropFirst().compactMap { Double($0) }
        guard ticks.count >= 8 else { return nil }
        // user nice system idle iowait irq softirq steal
        let busy = ticks[0] + ticks[1] + ticks[2] + ticks[5] + ticks[6] + ticks[7]
        return busy / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
