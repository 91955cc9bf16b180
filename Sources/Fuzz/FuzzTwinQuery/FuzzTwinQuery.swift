import ProvisioFuzzing

/// libFuzzer's per-input entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.twinQuery.fuzz(data, size)
}

// libFuzzer supplies main when built with -sanitize=fuzzer (scripts/fuzz defines PROVISIO_LIBFUZZER); a plain
// build replays the files named on the command line instead.
#if !PROVISIO_LIBFUZZER
@main
enum Replay {
    static func main() {
        FuzzReplay.main(.twinQuery)
    }
}
#endif
