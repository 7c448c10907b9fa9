import Foundation

/// Counts how many baskets hold each item and each pair of items, exactly, for any basket size.
///
/// Items are small integer ids whose order is the output order (the pairs stage numbers products
/// by product_id bytes), so a pair is (a, b) with a < b. Items held by fewer than `minCount`
/// baskets are dropped first: a pair can never be more frequent than its rarer item. Pairs are
/// then counted item by item: for each item a, the baskets holding it (an inverted index) add one
/// to a counter per later item b. The counters are one small array per thread, so memory is the
/// baskets, the index and the frequent pairs found; no items × baskets matrix and no table of
/// every pair seen.
///
///     PairCounter.count(baskets: [[0, 1, 2], [0, 1], [1, 2, 2]], itemCount: 3, minCount: 2)
///     // itemCounts [2, 3, 2]; pairs (0, 1): 2, (1, 2): 2
///
/// - Complexity: O(Σ basket size² over frequent items) time; memory O(basket items + frequent pairs).
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

    /// Work is cut into this many ranges of items, run on all cores and joined in order.
    static let chunks = 32

    /// - Parameters:
    ///   - offsets: basket i holds `items[offsets[i] ..< offsets[i + 1]]` (offsets.count = baskets + 1).
    ///   - items: item ids in 0..<itemCount, in any order, possibly repeated within a basket.
    public static func count(offsets: [Int], items: [Int32], itemCount: Int, minCount: Int) -> Counts {
        let baskets = max(offsets.count - 1, 0)
        var itemCounts = [Int](repeating: 0, count: itemCount)
        var scratch: [Int32] = []
        // Pass 1: baskets sorted and deduplicated, items counted.
        var basketItems: [Int32] = []
        basketItems.reserveCapacity(items.count)
        var basketStarts = [Int](repeating: 0, count: baskets + 1)
        for basket in 0..<baskets {
            scratch.removeAll(keepingCapacity: true)
            scratch.append(contentsOf: items[offsets[basket]..<offsets[basket + 1]])
            sortSmall(&scratch)
            var previous: Int32 = -1
            for item in scratch where item != previous {
                basketItems.append(item)
                itemCounts[Int(item)] += 1
                previous = item
            }
            basketStarts[basket + 1] = basketItems.count
        }
        guard minCount >= 1 else { return Counts(baskets: baskets, itemCounts: itemCounts, pairs: []) }

        // Pass 2: keep only frequent items, and index which baskets hold each.
        var frequentItems: [Int32] = []
        var frequentStarts = [Int](repeating: 0, count: baskets + 1)
        var postingCounts = [Int](repeating: 0, count: itemCount + 1)
        for basket in 0..<baskets {
            for index in basketStarts[basket]..<basketStarts[basket + 1] where itemCounts[Int(basketItems[index])] >= minCount {
                frequentItems.append(basketItems[index])
                postingCounts[Int(basketItems[index]) + 1] += 1
            }
            frequentStarts[basket + 1] = frequentItems.count
        }
        basketItems = []
        for item in 0..<itemCount { postingCounts[item + 1] += postingCounts[item] }
        var postings = [Int32](repeating: 0, count: frequentItems.count)
        var fill = postingCounts
        for basket in 0..<baskets {
            for index in frequentStarts[basket]..<frequentStarts[basket + 1] {
                let item = Int(frequentItems[index])
                postings[fill[item]] = Int32(basket)
                fill[item] += 1
            }
        }

        // Pass 3: for each item a, count the later items of the baskets holding it.
        var parts = [[Pair]](repeating: [], count: chunks)
        let perChunk = (itemCount + chunks - 1) / chunks
        frequentItems.withUnsafeBufferPointer { basketsItems in
            frequentStarts.withUnsafeBufferPointer { starts in
                postings.withUnsafeBufferPointer { postings in
                    postingCounts.withUnsafeBufferPointer { postingStarts in
                        parts.withUnsafeMutableBufferPointer { parts in
                            DispatchQueue.concurrentPerform(iterations: chunks) { part in
                                var counters = [UInt32](repeating: 0, count: itemCount)
                                var touched: [Int32] = []
                                var found: [Pair] = []
                                let end = min(itemCount, (part + 1) * perChunk)
                                guard part * perChunk < end else { return }
                                for a in (part * perChunk)..<end where itemCounts[a] >= minCount {
                                    for posting in postingStarts[a]..<postingStarts[a + 1] {
                                        let basket = Int(postings[posting])
                                        var index = starts[basket + 1] - 1
                                        // Baskets are sorted: walk back from the end to a.
                                        while index >= starts[basket] && basketsItems[index] > Int32(a) {
                                            let b = Int(basketsItems[index])
                                            if counters[b] == 0 { touched.append(Int32(b)) }
                                            counters[b] &+= 1
                                            index -= 1
                                        }
                                    }
                                    if touched.count > 16 && touched.count * 16 >= itemCount - a {
                                        // Many partners: reading the counters in order is cheaper than sorting them.
                                        for b in (a + 1)..<itemCount where counters[b] != 0 {
                                            let count = Int(counters[b])
                                            if count >= minCount { found.append(Pair(a: Int32(a), b: Int32(b), count: count)) }
                                            counters[b] = 0
                                        }
                                    } else {
                                        sortSmall(&touched)
                                        for b in touched {
                                            let count = Int(counters[Int(b)])
                                            if count >= minCount { found.append(Pair(a: Int32(a), b: b, count: count)) }
                                            counters[Int(b)] = 0
                                        }
                                    }
                                    touched.removeAll(keepingCapacity: true)
                                }
                                parts[part] = found
                            }
                        }
                    }
                }
            }
        }
        return Counts(baskets: baskets, itemCounts: itemCounts, pairs: parts.flatMap { $0 })
    }

    /// Most baskets hold a handful of items, where an insertion sort beats the general sort's setup.
    @inline(__always)
    static func sortSmall(_ items: inout [Int32]) {
        guard items.count <= 16 else { return items.sort() }
        items.withUnsafeMutableBufferPointer { items in
            for i in items.indices.dropFirst() {
                let item = items[i]
                var j = i
                while j > 0 && items[j - 1] > item {
                    items[j] = items[j - 1]
                    j -= 1
                }
                items[j] = item
            }
        }
    }

    public static func count(baskets: [[Int32]], itemCount: Int, minCount: Int) -> Counts {
        var offsets = [0]
        var items: [Int32] = []
        for basket in baskets {
            items += basket
            offsets.append(items.count)
        }
        return count(offsets: offsets, items: items, itemCount: itemCount, minCount: minCount)
    }
}

