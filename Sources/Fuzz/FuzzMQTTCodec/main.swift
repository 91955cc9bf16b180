import ProvisioFuzzing

FuzzDriver.main(.mqttCodec)
