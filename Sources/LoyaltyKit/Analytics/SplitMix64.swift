/// A small, fast, seedable random number generator (Steele, Lea & Flood's SplitMix64).
///
/// Every random choice in the pipeline takes one of these, seeded from the configuration's `seed`
/// (or a value derived from it), so the same seed always gives the same outputs on every platform.
/// `SystemRandomNumberGenerator` would make runs unrepeatable.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// A uniform Double in [0, 1) built from the top 53 bits, identical on every platform.
    public mutating func nextUnit() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// A generator for an independent stream, so adding draws to one stream never shifts another.
    public func derived(_ salt: UInt64) -> SplitMix64 {
        var mixer = SplitMix64(seed: state ^ (salt &* 0xD1B5_4A32_D192_ED03))
        return SplitMix64(seed: mixer.next())
    }
}
