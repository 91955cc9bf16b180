import Foundation
import Hub

/// The body of Put Block List: `<BlockList><Latest>id</Latest><Uncommitted>id</Uncommitted>…</BlockList>`, the ids
/// in order. Provisio keeps no committed blocks apart from the blob, so `Committed`, `Uncommitted` and `Latest` all
/// name staged blocks.
enum BlockListDocument {
    /// The block ids in document order; a 400 `InvalidXmlDocument` when there are none or a tag is unclosed.
    static func blockIds(_ xml: String) throws -> [String] {
        var ids: [String] = []
        var rest = Substring(xml)
        while let open = rest.firstRange(of: "<") {
            rest = rest[open.upperBound...]
            guard let close = rest.firstIndex(of: ">") else { throw invalid() }
            let tag = rest[..<close]
            rest = rest[rest.index(after: close)...]
            guard ["Latest", "Committed", "Uncommitted"].contains(String(tag)) else { continue }
            guard let end = rest.firstRange(of: "</\(tag)>") else { throw invalid() }
            ids.append(String(rest[..<end.lowerBound]).trimmingCharacters(in: .whitespacesAndNewlines))
            rest = rest[end.upperBound...]
        }
        guard !ids.isEmpty, ids.count <= 50_000 else { throw invalid() }
        return ids
    }

    private static func invalid() -> HubError {
        BlobStorageError.invalidInput("InvalidXmlDocument", "XML specified is not syntactically valid.")
    }
}
