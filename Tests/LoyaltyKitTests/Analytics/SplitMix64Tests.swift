import Testing
@testable import LoyaltyKit

@Suite struct SplitMix64Tests {
    @Test func matchesTheReferenceSequence() {
        // First outputs of the reference C implementation seeded with 0.
        var generator = SplitMix64(seed: 0)
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
    }

    @Test func sameSeedSameStreamAndUnitInterval() {
        var a = SplitMix64(seed: 42), b = SplitMix64(seed: 42)
        for _ in 0..<1000 {
            let x = a.nextUnit()
            #expect(x == b.nextUnit())
            #expect(x >= 0 && x < 1)
        }
        var c = SplitMix64(seed: 42).derived(1), d = SplitMix64(seed: 42).derived(2)
        #expect(c.next() != d.next())
    }
}
