/// The fuzzed parser families. The raw value names the libFuzzer executable (`fuzz-<raw value>`) and the
/// seed corpus folder (`Tests/FuzzCorpus/<raw value>`).
public enum FuzzTarget: String, CaseIterable, Sendable {
    /// MQTT 3.1.1 packet decoding, incremental decoding and re-encoding.
    case mqttCodec = "mqtt-codec"
    /// The twin query language (`SELECT * FROM devices WHERE …`) and its evaluation over a twin document.
    case twinQuery = "twin-query"
    /// Routing conditions and their evaluation over a message whose body follows the condition.
    case routingQuery = "routing-query"
    /// JSON bodies: twin patches, enrollments and service bodies (Foundation) and message bodies (`JSONBodyParser`).
    case jsonBodies = "json-bodies"
    /// PKCS#10 certificate signing requests (DER and PEM) and the CSR policy checks.
    case csr = "csr"
    /// TPM 2.0 structures: `TPM2B_PUBLIC`/`TPMT_PUBLIC` unmarshalling and the EK/SRK profile checks.
    case tpm = "tpm"
    /// AMQP 1.0 headers, frames, performatives and messages: incremental decoding and re-encoding.
    case amqpCodec = "amqp-codec"

    /// Feeds `input` to this target's parsers; throws a `FuzzFinding` when a property that must hold does not.
    /// Inputs the parsers refuse are fine: only a trap, a hang or a broken property is a finding.
    public func run(_ input: [UInt8]) throws(FuzzFinding) {
        switch self {
        case .mqttCodec: try MQTTCodecFuzzing.run(input)
        case .twinQuery: try TwinQueryFuzzing.run(input)
        case .routingQuery: try RoutingQueryFuzzing.run(input)
        case .jsonBodies: try JSONBodiesFuzzing.run(input)
        case .csr: try CSRFuzzing.run(input)
        case .tpm: try TPMFuzzing.run(input)
        case .amqpCodec: try AMQPCodecFuzzing.run(input)
        }
    }

    /// The libFuzzer entry point's body: runs `input` and traps on a finding so the fuzzer records the input.
    public func fuzz(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
        let input = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
        do {
            try run(input)
        } catch {
            fatalError("\(rawValue): \(error.description)")
        }
        return 0
    }
}
