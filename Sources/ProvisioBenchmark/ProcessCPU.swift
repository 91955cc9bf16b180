import Foundation

/// CPU time a process has used (user + system), read from `/proc/{pid}/stat`, to show whether a phase was
/// CPU-bound in the server, in the load generator, or in neither (waiting on the disk).
struct ProcessCPU: Sendable {
    let pid: Int32

    /// CPU seconds used so far; nil when the process is gone or `/proc` is unavailable.
    func seconds() -> Double? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
              let close = text.lastIndex(of: ")")
        else { return nil }
        // Fields after "(comm)": state is field 3, utime 14, stime 15.
        let fields = text[text.index(after: close)...].split(separator: " ")
        guard fields.count > 13, let user = Double(fields[11]), let system = Double(fields[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// This process.
    static var current: ProcessCPU { ProcessCPU(pid: getpid()) }
}
