/// AMQP 1.0 (OASIS) on `ByteBuffer`: the type system, AMQP and SASL frames, performatives and message sections as
/// values, the connection, session and link state machines as structs returning actions, and explicit limits.
/// No sockets and no business logic: `Gateway` owns the listener and maps links to the hub.
public enum AMQPCodec {}
