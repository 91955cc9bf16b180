/// The outcome of an import: how many enrollments were written and which entries were rejected, and why.
struct ImportReport: Sendable {
    /// One rejected entry.
    struct Rejection: Sendable {
        /// Its line in the file.
        var line: Int
        /// Why (a public message; never a key).
        var reason: String
    }

    /// Enrollments written.
    var imported = 0
    /// Rejected entries.
    var rejections: [Rejection] = []
    /// How many rejections the summary lists before it only counts.
    static let listedRejections = 20

    /// Records a rejected entry.
    mutating func reject(line: Int, _ reason: String) {
        rejections.append(Rejection(line: line, reason: reason))
    }

    /// `imported N, rejected M`, then the first rejections by line.
    var summary: String {
        var lines = ["imported \(imported), rejected \(rejections.count)"]
        let sorted = rejections.enumerated().sorted { ($0.element.line, $0.offset) < ($1.element.line, $1.offset) }.map(\.element)
        for rejection in sorted.prefix(Self.listedRejections) {
            lines.append("  line \(rejection.line): \(CLIError.oneLine(rejection.reason))")
        }
        if sorted.count > Self.listedRejections {
            lines.append("  … and \(sorted.count - Self.listedRejections) more")
        }
        return lines.joined(separator: "\n")
    }
}
