/// The body of a SASL frame (OASIS part 5, 5.3.3).
public enum AMQPSASLFrame: Sendable, Hashable {
    /// The server's mechanisms.
    case mechanisms([AMQPSymbol])
    /// The client's choice, its initial response and the host it wants.
    case initial(mechanism: AMQPSymbol, initialResponse: [UInt8]?, hostname: String?)
    case challenge([UInt8])
    case response([UInt8])
    /// 0 ok, 1 auth (credentials refused), 2 sys, 3 sys-perm, 4 sys-temp.
    case outcome(code: UInt8, additionalData: [UInt8]?)

    /// Reads a SASL body from its described list.
    public init(described value: AMQPValue) throws(AMQPCodecError) {
        guard let code = value.descriptorCode, let list = value.described?.value else { throw .unexpected("a SASL body is not described") }
        switch code {
        case 0x40:
            let fields = try AMQPFieldList("sasl-mechanisms", list)
            self = .mechanisms(try fields.symbols(0, "sasl-server-mechanisms"))
        case 0x41:
            let fields = try AMQPFieldList("sasl-init", list)
            self = .initial(mechanism: try fields.required(0, "mechanism") { $0.text.map { AMQPSymbol($0) } },
                            initialResponse: try fields.binary(1, "initial-response"), hostname: try fields.string(2, "hostname"))
        case 0x42:
            let fields = try AMQPFieldList("sasl-challenge", list)
            self = .challenge(try fields.required(0, "challenge") { $0.binary })
        case 0x43:
            let fields = try AMQPFieldList("sasl-response", list)
            self = .response(try fields.required(0, "response") { $0.binary })
        case 0x44:
            let fields = try AMQPFieldList("sasl-outcome", list)
            self = .outcome(code: try fields.required(0, "code") { $0.unsignedInteger.flatMap { UInt8(exactly: $0) } },
                            additionalData: try fields.binary(1, "additional-data"))
        default:
            throw .unexpected("unknown SASL frame 0x\(String(code, radix: 16))")
        }
    }

    /// The described list; `sasl-mechanisms` as an array of symbols (uamqp requires the array form).
    public var described: AMQPValue {
        switch self {
        case .mechanisms(let mechanisms):
            .describedList(0x40, [.array(.symbols(mechanisms))])
        case .initial(let mechanism, let response, let hostname):
            .describedList(0x41, [.symbol(mechanism), response.amqp, hostname.amqp])
        case .challenge(let bytes): .describedList(0x42, [.binary(bytes)])
        case .response(let bytes): .describedList(0x43, [.binary(bytes)])
        case .outcome(let code, let data): .describedList(0x44, [.ubyte(code), data.amqp])
        }
    }
}
