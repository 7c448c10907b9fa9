/// Counts how many baskets hold each item and each pair of items, exactly, for any basket size.
///
/// Items are small integer ids whose order is the output order (the pairs stage numbers products
/// by product_id bytes), so a pair is (a, b) with a < b. Items held by fewer than `minCount`
/// baskets are dropped first: a pair can never be more frequent than its rarer item. Pairs are
/// counted in a triangular array when the frequent items are few enough for it to fit
/// (`denseLimit` counters), else in an open-addressing hash table sized by the distinct pairs.
/// No items × baskets matrix is ever built.
///
///     PairCounter.count(baskets: [[0, 1, 2], [0, 1], [1, 2, 2]], itemCount: 3, minCount: 2)
///     // itemCounts [2, 3, 2]; pairs (0, 1): 2, (1, 2): 2
///
/// - Complexity: O(Σ basket size² over frequent items) time; memory O(frequent pairs).
public enum PairCounter {
    public struct Counts: Equatable, Sendable {
        public var baskets: Int
        /// Baskets holding each item (duplicates within a basket count once).
        public var itemCounts: [Int]
        /// Pairs with count ≥ minCount, in (a, b) order.
        public var pairs: [Pair]
    }

    public struct Pair: Equatable, Sendable {
        public var a: Int32
        public var b: Int32
        public var count: Int
    }

    public static let denseLimit = 60_000_000

    /// - Parameters:
    ///   - offsets: basket i holds `items[offsets[i] ..< offsets[i + 1]]` (offsets.count = baskets + 1).
    ///   - items: item ids in 0..<itemCount, in any order, possibly repeated within a basket.
    public static func count(offsets: [Int], items: [Int32], itemCount: Int, minCount: Int, denseLimit: Int = denseLimit) -> Counts {
        let baskets = max(offsets.count - 1, 0)
        var itemCounts = [Int](repeating: 0, count: itemCount)
        // Each basket sorted and deduplicated once, into a compact copy.
        var basketItems: [Int32] = []
        basketItems.reserveCapacity(items.count)
        var basketStarts = [Int](repeating: 0, count: baskets + 1)
        var scratch: [Int32] = []
        for basket in 0..<baskets {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: items[offsets[basket]..<offsets[basket + 1]])
            scratch.sort()
            var previous: Int32 = -1
            for item in scratch where item != previous {
                basketItems.append(item)
                itemCounts[Int(item)] += 1
                previous = item
            }
            basketStarts[basket + 1] = basketItems.count
        }

        // Dense numbering of the frequent items, in item order.
        var dense = [Int32](repeating: -1, count: itemCount)
        var frequent: [Int32] = []
        for item in 0..<itemCount where itemCounts[item] >= minCount && minCount >= 1 {
            dense[item] = Int32(frequent.count)
            frequent.append(Int32(item))
        }
        let f = frequent.count
        var pairs: [Pair] = []
        var row: [Int32] = []
        if f < 2 {
            return Counts(baskets: baskets, itemCounts: itemCounts, pairs: [])
        }
        let triangle = f * (f - 1) / 2
        if triangle <= denseLimit {
            var counters = [UInt32](repeating: 0, count: triangle)
            counters.withUnsafeMutableBufferPointer { counters in
                for basket in 0..<baskets {
                    row.removeAll(keepingCapacity: true)
                    for index in basketStarts[basket]..<basketStarts[basket + 1] {
                        let id = dense[Int(basketItems[index])]
                        if id >= 0 { row.append(id) }
                    }
                    guard row.count >= 2 else { continue }
                    for i in 0..<(row.count - 1) {
                        let a = Int(row[i])
                        let base = a * f - a * (a + 1) / 2 - a - 1
                        for j in (i + 1)..<row.count { counters[base + Int(row[j])] &+= 1 }
                    }
                }
            }
            for a in 0..<(f - 1) {
                let base = a * f - a * (a + 1) / 2 - a - 1
                for b in (a + 1)..<f where Int(counters[base + b]) >= minCount {
                    pairs.append(Pair(a: frequent[a], b: frequent[b], count: Int(counters[base + b])))
                }
            }
        } else {
            var table = PairTable()
            for basket in 0..<baskets {
                row.removeAll(keepingCapacity: true)
                for index in basketStarts[basket]..<basketStarts[basket + 1] where dense[Int(basketItems[index])] >= 0 {
                    row.append(basketItems[index])
                }
                guard row.count >= 2 else { continue }
                for i in 0..<(row.count - 1) {
                    for j in (i + 1)..<row.count { table.increment(UInt64(UInt32(row[i])) << 32 | UInt64(UInt32(row[j]))) }
                }
            }
            pairs = table.entries(minCount: minCount).map { Pair(a: Int32($0.key >> 32), b: Int32(truncatingIfNeeded: $0.key), count: $0.count) }
        }
        return Counts(baskets: baskets, itemCounts: itemCounts, pairs: pairs)
    }

    public static func count(baskets: [[Int32]], itemCount: Int, minCount: Int, denseLimit: Int = denseLimit) -> Counts {
        var offsets = [0]
        var items: [Int32] = []
        for basket in baskets {
            items += basket
            offsets.append(items.count)
        }
        return count(offsets: offsets, items: items, itemCount: itemCount, minCount: minCount, denseLimit: denseLimit)
    }
}

/// An open-addressing (linear probing) counter keyed by a packed pair, for when a triangular
/// array of all frequent pairs would not fit: memory grows with the distinct pairs seen.
struct PairTable {
    private var keys: [UInt64] = [UInt64](repeating: 0, count: 1 << 16)
    private var counts: [UInt32] = [UInt32](repeating: 0, count: 1 << 16)
    private var used = 0

    /// Keys are stored + 1 so that 0 marks an empty slot.
    mutating func increment(_ key: UInt64) {
        if (used + 1) * 2 > keys.count { grow() }
        let stored = key &+ 1
        var slot = Int(truncatingIfNeeded: (stored &* 0x9E37_79B9_7F4A_7C15) >> 20) & (keys.count - 1)
        while true {
            let current = keys[slot]
            if current == stored {
                counts[slot] &+= 1
                return
            }
            if current == 0 {
                keys[slot] = stored
                counts[slot] = 1
                used += 1
                return
            }
            slot = (slot + 1) & (keys.count - 1)
        }
    }

    private mutating func grow() {
        let oldKeys = keys, oldCounts = counts
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        counts = [UInt32](repeating: 0, count: oldKeys.count * 2)
        for (index, stored) in oldKeys.enumerated() where stored != 0 {
            var slot = Int(truncatingIfNeeded: (stored &* 0x9E37_79B9_7F4A_7C15) >> 20) & (keys.count - 1)
            while keys[slot] != 0 { slot = (slot + 1) & (keys.count - 1) }
            keys[slot] = stored
            counts[slot] = oldCounts[index]
        }
    }

    /// Entries with count ≥ minCount, sorted by key.
    func entries(minCount: Int) -> [(key: UInt64, count: Int)] {
        var result: [(key: UInt64, count: Int)] = []
        for (index, stored) in keys.enumerated() where stored != 0 && Int(counts[index]) >= minCount {
            result.append((stored - 1, Int(counts[index])))
        }
        result.sort { $0.key < $1.key }
        return result
    }
}
