import ProvisioFuzzing

FuzzDriver.main(.tpm)
