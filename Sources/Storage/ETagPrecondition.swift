import Provisioning

/// An If-Match precondition, evaluated inside the write transaction that changes the record (check-and-set).
struct ETagPrecondition: Sendable {
    /// The etag the caller expects; nil means unconditional, `*` means "must exist".
    let expected: String?

    /// Throws `notFound` when a conditional write meets no record, `preconditionFailed` when the etags differ.
    ///
    /// `exists` says whether the record is stored; `current` is its stored etag (nil if it has none).
    func check(exists: Bool, current: String?, record: String) throws {
        guard let expected else { return }
        guard exists else {
            throw ProvisioningError.notFound("\(record) does not exist")
        }
        let wanted = Self.unquoted(expected)
        if wanted == "*" { return }
        guard let current, Self.unquoted(current) == wanted else {
            throw ProvisioningError.preconditionFailed("the etag of \(record) does not match")
        }
    }

    /// The tag without one pair of surrounding double quotes, so `"abc"` (HTTP form) matches `abc` (stored form).
    static func unquoted(_ tag: String) -> String {
        guard tag.count >= 2, tag.hasPrefix("\""), tag.hasSuffix("\"") else { return tag }
        return String(tag.dropFirst().dropLast())
    }
}
