import Foundation

/// The fuzz executables' `main` when built without libFuzzer: runs each file named on the command line through
/// one target, so a crash input can be reproduced under a debugger or a plain build.
public enum FuzzReplay {
    /// Replays the files in `arguments` (the program name first) through `target`; exits 1 on a finding.
    public static func main(_ target: FuzzTarget, arguments: [String] = CommandLine.arguments) -> Never {
        let files = arguments.dropFirst()
        guard !files.isEmpty else {
            print("usage: fuzz-\(target.rawValue) FILE… (built with -sanitize=fuzzer it is the libFuzzer driver; see scripts/fuzz)")
            exit(2)
        }
        var failed = false
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else {
                print("\(file): cannot read")
                failed = true
                continue
            }
            do {
                try target.run(Array(data))
                print("\(file): ok")
            } catch {
                print("\(file): \(error.description)")
                failed = true
            }
        }
        exit(failed ? 1 : 0)
    }
}
