// Declarations only (include/CLibFuzzer.h); SwiftPM needs a source file to make a C module.
#include "CLibFuzzer.h"
