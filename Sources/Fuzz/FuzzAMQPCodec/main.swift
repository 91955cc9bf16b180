import ProvisioFuzzing

FuzzDriver.main(.amqpCodec)
