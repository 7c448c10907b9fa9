/// Groups items by a small integer key with a counting sort: linear, and items keep their order
/// within a key. The result's items of key k are `items[starts[k] ..< starts[k + 1]]`.
public enum KeyGrouping {
    /// - Parameters:
    ///   - parts: the items, in any number of arrays (the halves of a parallel scan are grouped
    ///     straight from them rather than joined first: a 10M-line history is 200 MB a copy).
    ///   - maxKey: the largest key; every key must be in 0 … maxKey.
    public static func group<Item>(_ parts: [[Item]], maxKey: Int, key: (Item) -> Int) -> (items: [Item], starts: [Int]) {
        var starts = [Int](repeating: 0, count: maxKey + 2)
        for part in parts { for item in part { starts[key(item) + 1] += 1 } }
        for index in 0..<(maxKey + 1) { starts[index + 1] += starts[index] }
        var fill = starts
        let total = parts.reduce(0) { $0 + $1.count }
        let items = [Item](unsafeUninitializedCapacity: total) { buffer, count in
            for part in parts {
                for item in part {
                    let slot = key(item)
                    (buffer.baseAddress! + fill[slot]).initialize(to: item)
                    fill[slot] += 1
                }
            }
            count = total
        }
        return (items, starts)
    }
}
