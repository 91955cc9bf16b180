import Foundation
import AccessControl

/// A member of a symmetric-key enrollment group: its registration id and the key it derives from the group key.
struct SymmetricKeyDevice: Sendable {
    let registrationId: String
    let key: SharedAccessKey

    /// Derives the device key: HMAC-SHA256(groupKey, registrationId).
    init(registrationId: String, groupKey: SharedAccessKey) {
        self.registrationId = registrationId
        self.key = groupKey.derived(for: registrationId)
    }

    /// The DPS token: `sr={idScope}/registrations/{id}`, `skn=registration`.
    func provisioningToken(idScope: String) -> String {
        SharedAccessSignature.make(resource: "\(idScope)/registrations/\(registrationId)", key: key,
                                   expiry: Self.expiry(), keyName: "registration")
    }

    /// The hub password: `sr={hub}/devices/{id}`, no `skn`.
    func hubToken(hubHostName: String) -> String {
        SharedAccessSignature.make(resource: "\(hubHostName)/devices/\(registrationId)", key: key, expiry: Self.expiry())
    }

    private static func expiry() -> Int64 {
        Int64(Date().timeIntervalSince1970) + 3600
    }
}
