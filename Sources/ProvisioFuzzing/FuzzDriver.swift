import Foundation

#if PROVISIO_LIBFUZZER
import CLibFuzzer
#endif

/// The whole program of every fuzz executable (`Sources/Fuzz/<Target>/main.swift` only names its target): built
/// with -sanitize=fuzzer (scripts/fuzz defines PROVISIO_LIBFUZZER) it hands the arguments to libFuzzer's driver,
/// a plain build replays the files named on the command line (`FuzzReplay`).
public enum FuzzDriver {
    /// Runs `target` as the program and exits with the fuzzer's or the replay's status.
    public static func main(_ target: FuzzTarget) -> Never {
        #if PROVISIO_LIBFUZZER
        drivenTarget = target
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv, fuzzerTestOneInput))
        #else
        FuzzReplay.main(target)
        #endif
    }
}

#if PROVISIO_LIBFUZZER
/// The target `FuzzDriver.main` runs. A C callback cannot capture, so the driver's callback reads it here; it is
/// written once, before libFuzzer starts, and only read afterwards.
nonisolated(unsafe) private var drivenTarget: FuzzTarget?

/// libFuzzer's per-input entry point, also the callback given to its driver. libFuzzer's runtime refers to this
/// symbol, so the program must define it even though `FuzzDriver.main` starts the driver itself.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    guard let target = drivenTarget else {
        fatalError("libFuzzer called its entry point before FuzzDriver.main named the target")
    }
    return target.fuzz(data, size)
}
#endif
