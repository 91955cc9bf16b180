import AccessControl
import Foundation

extension FileUploads {
    /// A container SAS (`sr=c`, e.g. `rwdl`) for import and export jobs, valid until `expiry`; query text with `?`.
    public nonisolated func containerSignature(container: String, permissions: String, expiry: Date) throws(HubError) -> String {
        try Self.validate(container: container)
        return BlobServiceSignature.issue(account: accountName, container: container, permissions: permissions, expiry: expiry, key: key)
    }

    /// Checks a container SAS for `container` and `permission`; a blob SAS (`sr=b`) does not open a whole container.
    public nonisolated func authorize(container: String, query: [String: String], permission: Character) throws {
        try Self.validate(container: container)
        guard let signature = BlobServiceSignature(query: query), signature.parameters["sr"] == "c" else {
            throw BlobStorageError.authenticationFailed("the container URI carries no container shared access signature (sr=c)")
        }
        do {
            try signature.validate(account: accountName, container: container, blob: "", required: permission, key: key, now: now())
        } catch {
            throw error.code == "AuthorizationPermissionMismatch"
                ? BlobStorageError.permissionMismatch(error.message) : BlobStorageError.authenticationFailed(error.message)
        }
    }

    /// Azure's container name rule: 3–63 lower-case letters, digits and single hyphens, starting with a letter or digit.
    public static func validate(container: String) throws(HubError) {
        let allowed = Set("abcdefghijklmnopqrstuvwxyz0123456789-")
        guard (3...63).contains(container.count), container.allSatisfy({ allowed.contains($0) }), container.first != "-",
              container.last != "-", !container.contains("--")
        else {
            throw .badRequest("a container name is 3 to 63 lower-case letters, digits and single hyphens")
        }
    }
}
