import ProvisioFuzzing

#if PROVISIO_LIBFUZZER
import CLibFuzzer
import Foundation

/// libFuzzer's per-input entry point.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    FuzzTarget.amqpCodec.fuzz(data, size)
}
#endif

/// The program: with -sanitize=fuzzer (scripts/fuzz defines PROVISIO_LIBFUZZER) it hands its arguments to
/// libFuzzer's driver; a plain build replays the files named on the command line.
@main
enum Fuzzer {
    static func main() {
        #if PROVISIO_LIBFUZZER
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        let status = LLVMFuzzerRunDriver(&argc, &argv) { data, size in FuzzTarget.amqpCodec.fuzz(data, size) }
        exit(status)
        #else
        FuzzReplay.main(.amqpCodec)
        #endif
    }
}
