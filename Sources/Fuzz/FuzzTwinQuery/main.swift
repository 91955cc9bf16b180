import ProvisioFuzzing

FuzzDriver.main(.twinQuery)
