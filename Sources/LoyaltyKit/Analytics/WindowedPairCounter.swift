/// Counts pairs of items the same customer bought within a time window, across orders (a laptop
/// this week, a bag the next): the customer scope of the pairs stage.
///
/// A pair (a, b), a < b, counts once per customer who bought a and b on days at most `windowDays`
/// apart (the same order included); an item counts once per customer who bought it. The
/// denominator ("baskets" in `PairCounter.Counts`) is the number of customers with a purchase,
/// so every rule metric reads "share of customers".
///
///     // Customer 0 buys item 1 on day 0 and item 2 on day 5; customer 1 buys them 20 days apart.
///     WindowedPairCounter.count(events: [(0, 0, 1), (0, 5, 2), (1, 0, 1), (1, 20, 2)],
///                               windowDays: 7, itemCount: 3, minCount: 1)
///     // baskets 2, itemCounts [0, 2, 2], pairs (1, 2): 1
///
/// - Complexity: O(events log events + Σ pairs within windows); memory O(pairs found per customer
///   summed over customers) before the final count.
public enum WindowedPairCounter {
    public struct Event: Comparable {
        public var customer: Int32
        public var day: Int32
        public var item: Int32

        public init(_ customer: Int32, _ day: Int32, _ item: Int32) {
            self.customer = customer
            self.day = day
            self.item = item
        }

        public static func < (a: Event, b: Event) -> Bool {
            (a.customer, a.day, a.item) < (b.customer, b.day, b.item)
        }
    }

    public static func count(events: [(Int32, Int32, Int32)], windowDays: Int, itemCount: Int, minCount: Int) -> PairCounter.Counts {
        count(events: events.map { Event($0.0, $0.1, $0.2) }, windowDays: windowDays, itemCount: itemCount, minCount: minCount)
    }

    public static func count(events input: [Event], windowDays: Int, itemCount: Int, minCount: Int) -> PairCounter.Counts {
        let events = input.sorted()
        var itemCounts = [Int](repeating: 0, count: itemCount)
        var codes: [UInt64] = []
        var customerCodes: [UInt64] = []
        var customerItems: [Int32] = []
        var customers = 0
        var start = 0
        while start < events.count {
            var end = start
            while end < events.count && events[end].customer == events[start].customer { end += 1 }
            customers += 1
            customerCodes.removeAll(keepingCapacity: true)
            customerItems.removeAll(keepingCapacity: true)
            for i in start..<end {
                customerItems.append(events[i].item)
                var j = i + 1
                while j < end && Int(events[j].day) - Int(events[i].day) <= windowDays {
                    let a = events[i].item, b = events[j].item
                    if a != b { customerCodes.append(UInt64(UInt32(min(a, b))) << 32 | UInt64(UInt32(max(a, b)))) }
                    j += 1
                }
            }
            customerItems.sort()
            var previousItem: Int32 = -1
            for item in customerItems where item != previousItem {
                itemCounts[Int(item)] += 1
                previousItem = item
            }
            customerCodes.sort()
            var previousCode: UInt64 = .max
            for code in customerCodes where code != previousCode {
                codes.append(code)
                previousCode = code
            }
            start = end
        }
        codes.sort()
        var pairs: [PairCounter.Pair] = []
        var index = 0
        while index < codes.count {
            var run = index
            while run < codes.count && codes[run] == codes[index] { run += 1 }
            if run - index >= minCount {
                pairs.append(.init(a: Int32(codes[index] >> 32), b: Int32(truncatingIfNeeded: codes[index]), count: run - index))
            }
            index = run
        }
        return PairCounter.Counts(baskets: customers, itemCounts: itemCounts, pairs: pairs)
    }
}
