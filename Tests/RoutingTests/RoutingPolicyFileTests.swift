import Foundation
import Routing
import Testing

/// Every `Policies/routing-*.yaml` loads and compiles.
@Suite("Routing policy files")
struct RoutingPolicyFileTests {
    static let policies = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Policies")

    @Test("every routing policy file in Policies/ and Policies/examples/ is valid")
    func everyFile() throws {
        let documents = try RoutingPolicyDocument.load(directory: Self.policies)
            + RoutingPolicyDocument.load(directory: Self.policies.appendingPathComponent("examples"))
        #expect(documents.count >= 2)
        for document in documents { _ = try RoutingTable(document.routing) }
    }

    @Test("the default policy is the built-in default")
    func defaultPolicy() throws {
        let text = try String(contentsOf: Self.policies.appendingPathComponent("routing-default.yaml"), encoding: .utf8)
        let document = try RoutingPolicyDocument.parse(yaml: text, source: "routing-default.yaml")
        #expect(document.routing.normalized == RoutingConfiguration().normalized)
    }

    @Test("wrong kind, unknown keys and bad conditions are errors")
    func errors() {
        let wrongKind = "apiVersion: provisio/v1\nkind: Other\n"
        #expect(throws: RoutingConfigurationError.self) { try RoutingPolicyDocument.parse(yaml: wrongKind, source: "x") }
        let unknown = "apiVersion: provisio/v1\nkind: RoutingPolicy\nroutez: []\n"
        #expect(throws: RoutingConfigurationError.self) { try RoutingPolicyDocument.parse(yaml: unknown, source: "x") }
        let bad = """
            apiVersion: provisio/v1
            kind: RoutingPolicy
            routes:
              - {name: r, condition: "$body.x >", endpointNames: [events]}
            """
        do {
            _ = try RoutingPolicyDocument.parse(yaml: bad, source: "bad.yaml")
            Issue.record("accepted")
        } catch {
            #expect(error.position == 10)
            #expect(error.message.hasPrefix("bad.yaml: route 'r'"))
        }
    }
}
