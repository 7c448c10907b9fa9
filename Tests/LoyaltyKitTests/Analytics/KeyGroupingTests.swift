import Testing
@testable import LoyaltyKit

@Suite struct KeyGroupingTests {
    @Test func groupsByKeyKeepingOrderWithinAKey() {
        let parts = [[(7, "a"), (2, "b"), (7, "c")], [], [(0, "d"), (2, "e")]]
        let (items, starts) = KeyGrouping.group(parts, maxKey: 8) { $0.0 }
        #expect(items.map(\.1) == ["d", "b", "e", "a", "c"])
        #expect(starts == [0, 1, 1, 3, 3, 3, 3, 3, 5, 5])
        #expect(items[starts[7]..<starts[8]].map(\.1) == ["a", "c"])
    }
}
