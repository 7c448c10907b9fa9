/// Sorts non-negative 64-bit keys by their low `bits` bits with a least-significant-digit radix
/// sort, 16 bits a pass: linear, where a comparison sort of the ten million (customer, product)
/// keys of a 10M-line night took a second.
public enum RadixSort {
    /// Sorts by as many low bits as the largest key has.
    public static func sort(_ keys: inout [Int64]) {
        sort(&keys, bits: 64 - (keys.max() ?? 0).leadingZeroBitCount)
    }

    public static func sort(_ keys: inout [Int64], bits: Int) {
        precondition(bits >= 0 && bits <= 64)
        guard keys.count > 1 else { return }
        var scratch = [Int64](repeating: 0, count: keys.count)
        var shift: Int64 = 0
        while shift < Int64(bits) {
            var counts = [Int](repeating: 0, count: 1 << 16 + 1)
            for key in keys { counts[Int((key >> shift) & 0xFFFF) + 1] += 1 }
            for digit in 0..<(1 << 16) { counts[digit + 1] += counts[digit] }
            keys.withUnsafeBufferPointer { source in
                scratch.withUnsafeMutableBufferPointer { target in
                    for key in source {
                        let digit = Int((key >> shift) & 0xFFFF)
                        target[counts[digit]] = key
                        counts[digit] += 1
                    }
                }
            }
            swap(&keys, &scratch)
            shift += 16
        }
    }
}
