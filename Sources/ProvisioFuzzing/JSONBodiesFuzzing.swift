import Foundation
import Hub
import Provisioning
import Routing

/// JSON bodies as the edge receives them: twin patches from devices and the service (Foundation into `JSONValue`,
/// then merged into a twin), enrollment and service bodies, and message bodies through routing's own parser.
enum JSONBodiesFuzzing {
    static let now = Date(timeIntervalSince1970: 1_700_000_000)

    static func run(_ input: [UInt8]) throws(FuzzFinding) {
        let data = Data(input)
        let decoder = JSONDecoder()
        if let value = try? decoder.decode(JSONValue.self, from: data) {
            try reencodes(value)
            patchTwin(value)
        }
        _ = try? decoder.decode(IndividualEnrollment.self, from: data)
        _ = try? decoder.decode(EnrollmentGroup.self, from: data)
        _ = try? decoder.decode(BulkEnrollmentOperation.self, from: data)
        _ = try? decoder.decode(QuerySpecification.self, from: data)
        registration(data)
        try messageBody(input)
    }

    /// A DPS register body, as MQTT and HTTPS sessions read it: the id rule, and the CSR for an old and a new api-version.
    static func registration(_ data: Data) {
        guard let request = try? JSONDecoder().decode(DeviceRegistrationRequest.self, from: data) else { return }
        if let id = request.registrationId { _ = try? RegistrationIdentifier.validate(id) }
        for apiVersion in [nil, "2021-06-01", "2025-07-01-preview"] {
            _ = try? request.certificateSigningRequest(apiVersion: apiVersion)
        }
    }

    /// Foundation's encoding of a decoded value must decode to the same value.
    static func reencodes(_ value: JSONValue) throws(FuzzFinding) {
        guard let encoded = try? JSONEncoder().encode(value) else {
            throw FuzzFinding("a decoded JSONValue does not encode")
        }
        guard let again = try? JSONDecoder().decode(JSONValue.self, from: encoded), again == value else {
            throw FuzzFinding("JSONValue does not survive encode/decode: \(String(decoding: encoded, as: UTF8.self).prefix(200))")
        }
    }

    /// The patch paths of the device (reported) and the service (tags and desired, as PATCH and PUT split them).
    static func patchTwin(_ value: JSONValue) {
        var twin = DeviceTwin(etag: "e1")
        twin.tags = ["kind": .string("sensor"), "location": .object(["floor": .number(3)])]
        twin.reported = ["battery": .object(["level": .number(80)])]
        if let patch = value.objectValue {
            _ = try? twin.patchReported(patch, now: now)
            _ = try? twin.patchReported(patch, now: now)
        }
        if let tags = value["tags"]?.objectValue { _ = try? twin.patchTags(tags) }
        if let desired = value["properties"]?["desired"]?.objectValue { _ = try? twin.patchDesired(desired, now: now) }
        _ = twin.devicePropertiesDocument
    }

    /// Routing's body parser in the three encodings it reads; what it accepts must survive Foundation's encoding.
    static func messageBody(_ input: [UInt8]) throws(FuzzFinding) {
        for encoding in ["utf-8", "utf-16", "utf-32", "utf-16be"] {
            _ = MessageBodyDecoding.routableJSON(input, contentType: "application/json", contentEncoding: encoding)
        }
        guard let value = MessageBodyDecoding.routableJSON(input, contentType: "application/json", contentEncoding: "utf-8"),
              let encoded = try? JSONEncoder().encode(value) else { return }
        guard MessageBodyDecoding.routableJSON(Array(encoded), contentType: "application/json", contentEncoding: "utf-8") == value else {
            throw FuzzFinding("a body JSONBodyParser accepted does not parse back after encoding: \(String(decoding: encoded, as: UTF8.self).prefix(200))")
        }
    }
}
