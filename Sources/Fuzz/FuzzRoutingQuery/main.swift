import ProvisioFuzzing

FuzzDriver.main(.routingQuery)
