import ProvisioFuzzing

FuzzDriver.main(.jsonBodies)
