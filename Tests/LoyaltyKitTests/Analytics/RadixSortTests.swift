import Testing
@testable import LoyaltyKit

@Suite struct RadixSortTests {
    @Test func sortsAsTheStandardSortDoes() {
        var random = SplitMix64(seed: 3)
        for (count, bits) in [(0, 8), (1, 8), (1000, 8), (50_000, 20), (50_000, 44), (10_000, 63)] {
            var keys = (0..<count).map { _ in Int64(random.next() >> UInt64(64 - bits)) }
            let expected = keys.sorted()
            var bySize = keys
            RadixSort.sort(&keys, bits: bits)
            #expect(keys == expected, "\(count) keys of \(bits) bits")
            // Without bits, as many as the largest key has.
            RadixSort.sort(&bySize)
            #expect(bySize == expected, "\(count) keys sorted by their largest")
        }
    }
}
