import Foundation
import Testing

/// `provisio enrollment import`: the manufacturer's bulk path, CSV and JSON.
@Suite("provisio enrollment import", .timeLimit(.minutes(10)))
struct CLIImportTests {
    /// A real EK TPM2B_PUBLIC (swtpm, TCG RSA-2048 template): enrollments parse and check it.
    static let endorsementKey = "AToAAQALAAMAsgAgg3GXZ0SEs/gakMyNRqXXJP1S124GUgtk8qHaGzMUaaoABgCAAEMAEAgAAAAAAAEAmnUDtbpW0HTNiQRUPvDPe5TdF4ee5MP45+a2qjDyamOwh5+2lyGHExTf9RYPnZIqOElTIFGH1DdBfaqhvaEZiifa39Sc8H8GkYyukUW81uLcChDuqRxJEazf+qlpc0jQI/Fhg1whk0UTiAYua0nzBBstYv60XwxmglChzxt1zn9jgxi7Fzs0F8tIizF6PpMj5NbSOVvIsIJPKtVWtLsNluS8TbLF+KVISzaC0u+VlBzH9sS6NknsODxti6kggKZ9LLlOo110lrLfWFm/M8Q5nJo6G58tI42KhfEcud7dhRcPwPvWg9RcO2Hqo+UDNDGCYOh/4b683blBqISnIno3IQ=="

    static let header = "registrationId,deviceId,attestation,primaryKey,secondaryKey,certificateFile,iotHubs,allocationPolicy,provisioningStatus,initialTwin"

    @Test("A 100,000-row CSV imports completely; list --limit 5 works afterwards")
    func hundredThousandRows() async throws {
        let data = try await CLIDataDirectory.make()
        var csv = Self.header + "\n"
        csv.reserveCapacity(8_000_000)
        for index in 0..<100_000 {
            let id = "factory-\(String(index + 1_000_000).dropFirst())"
            // Every tenth row names a hub and a twin, so the import is not all one shape.
            if index % 10 == 0 {
                csv += "\(id),,symmetricKey,,,,\(data.hubHostNames[0]),,,\"{\"\"tags\"\":{\"\"batch\"\":\"\"\(index / 1000)\"\"}}\"\n"
            } else {
                csv += "\(id),,symmetricKey,,,,,,,\n"
            }
        }
        let file = data.directory.file("devices.csv")
        try csv.write(to: file, atomically: true, encoding: .utf8)

        let result = try await data.run(["enrollment", "import", file.path, "--config", data.configurationFile], timeout: .seconds(600))
        #expect(result.status == .exited(0), "stdout: \(result.stdout.prefix(2000))\nstderr: \(result.stderr.suffix(2000))")
        #expect(result.stdout.contains("imported 100000, rejected 0"), "stdout: \(result.stdout.prefix(2000))")
        // Not a terminal here: progress comes as plain lines on stderr.
        #expect(result.stderr.contains("100000/100000"), "stderr: \(result.stderr.suffix(2000))")

        let list = try await data.run(["enrollment", "list", "--limit", "5", "--json"])
        try #require(list.status == .exited(0), "stderr: \(list.stderr)")
        let first = try CLIEnrollmentJSON.decodeList(list.stdout)
        #expect(first.map(\.registrationId) == (0..<5).map { "factory-\(String($0 + 1_000_000).dropFirst())" })
        for enrollment in first {
            #expect(Data(base64Encoded: enrollment.attestation.symmetricKey?.primaryKey ?? "")?.count == 64)
        }
        let summary = try await data.run(["enrollment", "list", "--limit", "5"])
        #expect(summary.status == .exited(0))
        #expect(summary.stdout.contains("(5 of 100000 enrollments)"), "stdout: \(summary.stdout)")
    }

    @Test("Bad rows (bad key, duplicate id, unknown attestation) are rejected by line with exit 2; the rest is imported")
    func rejectedRows() async throws {
        let data = try await CLIDataDirectory.make()
        let badKey = "bm90LWEta2V5!!"
        let rows = [
            Self.header,                                                        // line 1
            "good-1,,symmetricKey,,,,,,,",                                      // line 2
            "bad-key,,symmetricKey,\(badKey),,,,,,",                            // line 3
            "good-1,,symmetricKey,,,,,,,",                                      // line 4: duplicate
            "strange,,carrier-pigeon,,,,,,,",                                   // line 5
            "\"good-2\",dev-2,symmetricKey,,,,,,disabled,\"{\"\"tags\"\":{\"\"a\"\":1}}\"", // line 6
            "tpm-1,,tpm,\(Self.endorsementKey),,,,,,",                           // line 7
        ]
        let file = data.directory.file("mixed.csv")
        try (rows.joined(separator: "\r\n") + "\r\n").write(to: file, atomically: true, encoding: .utf8)

        let result = try await data.run(["enrollment", "import", file.path, "--format", "csv"])
        #expect(result.status == .exited(2), "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stdout.contains("imported 3, rejected 3"), "stdout: \(result.stdout)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains { $0.contains("line 3:") && $0.contains("primaryKey") }, "stdout: \(result.stdout)")
        #expect(lines.contains { $0.contains("line 4:") && $0.contains("duplicate") && $0.contains("line 2") }, "stdout: \(result.stdout)")
        #expect(lines.contains { $0.contains("line 5:") && $0.contains("attestation") }, "stdout: \(result.stdout)")
        #expect(!result.stdout.contains(badKey) && !result.stderr.contains(badKey), "a key must never appear in a message")

        let good = try await data.run(["enrollment", "show", "good-2", "--json"])
        try #require(good.status == .exited(0), "stderr: \(good.stderr)")
        let enrollment = try CLIEnrollmentJSON.decode(good.stdout)
        #expect(enrollment.deviceId == "dev-2")
        #expect(enrollment.provisioningStatus == "disabled")

        // Create mode again: every id now exists, so every row is rejected — more than 20 shows the tail count.
        var many = [Self.header]
        for index in 0..<25 { many.append("again-\(index),,symmetricKey,,,,,,,") }
        let manyFile = data.directory.file("many.csv")
        try many.joined(separator: "\n").write(to: manyFile, atomically: true, encoding: .utf8)
        #expect(try await data.run(["enrollment", "import", manyFile.path]).status == .exited(0))
        let repeated = try await data.run(["enrollment", "import", manyFile.path])
        #expect(repeated.status == .exited(2))
        #expect(repeated.stdout.contains("imported 0, rejected 25"), "stdout: \(repeated.stdout)")
        #expect(repeated.stdout.contains("already exists"))
        #expect(repeated.stdout.contains("… and 5 more"), "stdout: \(repeated.stdout)")
        let update = try await data.run(["enrollment", "import", manyFile.path, "--mode", "update"])
        #expect(update.status == .exited(0), "stdout: \(update.stdout)")
        #expect(update.stdout.contains("imported 25, rejected 0"))
    }

    @Test("A JSON array of DPS enrollments imports; a malformed entry is rejected with its line")
    func jsonImport() async throws {
        let data = try await CLIDataDirectory.make()
        let key = Data(repeating: 7, count: 32).base64EncodedString()
        let json = """
            [
              {"registrationId": "json-1", "attestation": {"type": "symmetricKey", "symmetricKey": {"primaryKey": "\(key)", "secondaryKey": "\(key)"}}},
              {"registrationId": "json-2", "deviceId": "json-device-2", "attestation": {"type": "tpm", "tpm": {"endorsementKey": "\(Self.endorsementKey)"}},
               "provisioningStatus": "disabled"},
              {"registrationId": "json-3", "attestation": {"type": "symmetricKey"}, "iotHubs": ["\(data.hubHostNames[2])"],
               "initialTwin": {"tags": {"site": "north"}}},
              {"attestation": {"type": "symmetricKey"}}
            ]
            """
        let file = data.directory.file("enrollments.json")
        try json.write(to: file, atomically: true, encoding: .utf8)

        let result = try await data.run(["enrollment", "import", file.path, "--config", data.configurationFile])
        #expect(result.status == .exited(2), "stdout: \(result.stdout)\nstderr: \(result.stderr)")
        #expect(result.stdout.contains("imported 3, rejected 1"), "stdout: \(result.stdout)")
        #expect(result.stdout.contains("line 7:") && result.stdout.contains("registrationId"), "stdout: \(result.stdout)")

        let list = try await data.run(["enrollment", "list", "--json"])
        try #require(list.status == .exited(0), "stderr: \(list.stderr)")
        let enrollments = try CLIEnrollmentJSON.decodeList(list.stdout)
        try #require(enrollments.map(\.registrationId) == ["json-1", "json-2", "json-3"])
        #expect(enrollments[0].attestation.symmetricKey?.primaryKey == key)
        #expect(enrollments[1].attestation.type == "tpm")
        #expect(enrollments[1].provisioningStatus == "disabled")
        #expect(Data(base64Encoded: enrollments[2].attestation.symmetricKey?.primaryKey ?? "")?.count == 64)
        #expect(enrollments[2].iotHubs == [data.hubHostNames[2]])

        let notAnArray = data.directory.file("object.json")
        try #"{"registrationId": "x"}"#.write(to: notAnArray, atomically: true, encoding: .utf8)
        let fatal = try await data.run(["enrollment", "import", notAnArray.path])
        #expect(fatal.status == .exited(1))
        #expect(fatal.stderr.contains("array"), "stderr: \(fatal.stderr)")
    }
}
