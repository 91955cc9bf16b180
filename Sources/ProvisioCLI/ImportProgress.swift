import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Import progress on stderr: a redrawn bar on a terminal, a plain line per tenth otherwise (logs, pipes).
struct ImportProgress {
    /// Rows in the file.
    let total: Int
    /// Whether stderr is a terminal.
    let isTerminal: Bool
    private var shown = -1

    /// Progress over `total` rows, drawn as a bar when stderr is a terminal.
    init(total: Int, isTerminal: Bool = isatty(STDERR_FILENO) != 0) {
        self.total = total
        self.isTerminal = isTerminal
    }

    /// Reports `done` rows processed.
    mutating func update(done: Int) {
        guard total > 0 else { return }
        let percent = min(100, done * 100 / total)
        if isTerminal {
            guard percent != shown else { return }
            let width = 30
            let filled = percent * width / 100
            write("\r[\(String(repeating: "#", count: filled))\(String(repeating: ".", count: width - filled))] \(percent)% \(done)/\(total) rows")
            shown = percent
        } else {
            guard percent / 10 > shown else { return }
            write("import: \(done)/\(total) rows (\(percent)%)\n")
            shown = percent / 10
        }
    }

    /// Ends the bar's line.
    func finish() {
        if isTerminal && shown >= 0 { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}
