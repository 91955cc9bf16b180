#ifndef PROVISIO_CLIBFUZZER_H
#define PROVISIO_CLIBFUZZER_H

#include <stddef.h>
#include <stdint.h>

/// libFuzzer's driver (LLVM 11 and later), for programs with a main of their own: SwiftPM links executables
/// with their entry point renamed to `<Target>_main`, so libFuzzer's main is never the program's main and the
/// program starts the driver itself (ProvisioFuzzing's FuzzDriver). Only defined when linked with -sanitize=fuzzer.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));

#endif
