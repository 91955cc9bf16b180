@testable import Gateway
import Synchronization
import Testing

/// Event Hubs owner levels (`com.microsoft:epoch`) per consumer group and partition.
@Suite struct PartitionOwnershipTests {
    final class Displaced: Sendable {
        let names = Mutex<[String]>([])
        func callback(_ name: String) -> @Sendable () -> Void { { self.names.withLock { $0.append(name) } } }
        var all: [String] { names.withLock { $0 } }
    }

    @Test("a higher owner level displaces lower ones and receivers without one; a lower one is refused")
    func ownerLevels() {
        let ownership = PartitionOwnership()
        let displaced = Displaced()
        let plain = ownership.claim(consumerGroup: "$Default", partition: "0", ownerLevel: nil, displace: displaced.callback("plain"))
        #expect(plain != nil)
        #expect(ownership.claim(consumerGroup: "$Default", partition: "0", ownerLevel: nil, displace: displaced.callback("plain2")) != nil,
                "receivers without an owner level share a partition")
        let one = ownership.claim(consumerGroup: "$default", partition: "0", ownerLevel: 1, displace: displaced.callback("one"))
        #expect(one != nil)
        #expect(Set(displaced.all) == ["plain", "plain2"], "consumer group names compare case-insensitively")
        #expect(ownership.claim(consumerGroup: "$Default", partition: "0", ownerLevel: nil, displace: displaced.callback("late")) == nil)
        #expect(ownership.claim(consumerGroup: "$Default", partition: "0", ownerLevel: 0, displace: displaced.callback("zero")) == nil)
        #expect(ownership.claim(consumerGroup: "other", partition: "0", ownerLevel: nil, displace: displaced.callback("other")) != nil,
                "another consumer group is independent")
        #expect(ownership.claim(consumerGroup: "$Default", partition: "1", ownerLevel: 0, displace: displaced.callback("p1")) != nil,
                "another partition is independent")
        #expect(ownership.claim(consumerGroup: "$Default", partition: "0", ownerLevel: 2, displace: displaced.callback("two")) != nil)
        #expect(displaced.all.last == "one")
    }

    @Test("a released claim no longer blocks")
    func release() throws {
        let ownership = PartitionOwnership()
        let claimed = ownership.claim(consumerGroup: "g", partition: "0", ownerLevel: 5, displace: {})
        let high = try #require(claimed)
        #expect(ownership.claim(consumerGroup: "g", partition: "0", ownerLevel: 1, displace: {}) == nil)
        ownership.release(high)
        #expect(ownership.claim(consumerGroup: "g", partition: "0", ownerLevel: 1, displace: {}) != nil)
    }
}
