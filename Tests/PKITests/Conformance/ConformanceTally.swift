import Foundation

/// Counts a suite's outcomes; wrong acceptances are the one outcome that may never happen.
struct ConformanceTally {
    /// Expected to validate, and did.
    var passed: [String] = []
    /// Expected to fail, and was refused; with the validator's reasons.
    var refusedAsExpected: [(id: String, reasons: String)] = []
    /// Not run, with the reason.
    var skipped: [(id: String, reason: String)] = []
    /// Expected to validate but refused, with the validator's reasons.
    var wrongRejections: [(id: String, reasons: String)] = []
    /// Expected to fail but validated.
    var wrongAcceptances: [String] = []

    /// How many cases ran.
    var ran: Int { passed.count + refusedAsExpected.count + wrongRejections.count + wrongAcceptances.count }

    mutating func record(id: String, expectedValid: Bool, outcome: Outcome) {
        switch (expectedValid, outcome) {
        case (true, .valid): passed.append(id)
        case (false, .invalid(let reasons)): refusedAsExpected.append((id, reasons))
        case (true, .invalid(let reasons)): wrongRejections.append((id, reasons))
        case (false, .valid): wrongAcceptances.append(id)
        }
    }

    /// What the validator said.
    enum Outcome {
        case valid
        case invalid(String)
    }

    /// A printable summary: counts, then every skip and wrong rejection with its reason, and with `verbose` (the
    /// environment variable `PROVISIO_CONFORMANCE_VERBOSE` set) why each expected failure was refused.
    func report(suite: String, verbose: Bool = ProcessInfo.processInfo.environment["PROVISIO_CONFORMANCE_VERBOSE"] != nil) -> String {
        var lines = ["\(suite): \(ran) run: \(passed.count) passed, \(refusedAsExpected.count) refused as expected, "
                     + "\(wrongRejections.count) wrongly refused, \(wrongAcceptances.count) wrongly accepted; \(skipped.count) skipped"]
        lines += skipped.map { "  skipped \($0.id): \($0.reason)" }
        lines += wrongRejections.map { "  wrongly refused \($0.id): \($0.reasons)" }
        lines += wrongAcceptances.map { "  WRONGLY ACCEPTED \($0)" }
        if verbose { lines += refusedAsExpected.map { "  refused \($0.id): \($0.reasons)" } }
        return lines.joined(separator: "\n")
    }
}
