import X509

/// The outcome of ``DeviceChainValidator/validate(chain:at:)``.
public enum ChainValidationResult: Sendable, Hashable {
    /// A path to a trust anchor met every rule; the certificates run from the leaf to the anchor.
    case valid([Certificate])
    /// No path met every rule. `reasons` says why each candidate path failed (empty when no path reached an anchor).
    case invalid(reasons: [String])

    /// Whether the chain validated.
    public var isValid: Bool {
        if case .valid = self { return true }
        return false
    }

    /// A one-line explanation for logs and refusals; never contains key material.
    public var summary: String {
        switch self {
        case .valid(let chain):
            return "valid: \(chain.count) certificate(s) up to \(chain.last?.subject.description ?? "?")"
        case .invalid(let reasons):
            return reasons.isEmpty ? "no path to a trusted certificate" : reasons.prefix(3).joined(separator: "; ")
        }
    }
}
