import ProvisioFuzzing

FuzzDriver.main(.csr)
