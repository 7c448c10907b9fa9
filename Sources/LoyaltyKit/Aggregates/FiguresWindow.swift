/// The contract's figures window: order lines count when their order was placed at or after
/// `from` (nil: all history) and before `until` (the start of the day after `as_of`, local time).
/// Every stage's figures and every windowed aggregate use this one window.
public struct FiguresWindow: Equatable, Sendable {
    public var from: Int64?
    public var until: Int64

    public init(from: Int64?, until: Int64) {
        self.from = from
        self.until = until
    }

    /// The window of a run: `segment.lookback_days` back from `as_of`, both ends' days included.
    public init(asOf: Int64, lookbackDays: Int?, clock: ZoneClock) {
        until = clock.startOfDay(asOf + 1)
        from = lookbackDays.map { clock.startOfDay(asOf - Int64($0) + 1) }
    }

    public func contains(_ utcSeconds: Int64) -> Bool { utcSeconds < until && utcSeconds >= (from ?? .min) }

    /// `column` inside the window, as SQL (the bounds are integers, inlined).
    func sql(_ column: String) -> String {
        from.map { "\(column) >= \($0) AND \(column) < \(until)" } ?? "\(column) < \(until)"
    }

    /// The instants in exactly one of the two windows, as at most two half-open ranges.
    func symmetricDifference(_ other: FiguresWindow) -> [(from: Int64, until: Int64)] {
        var ranges: [(Int64, Int64)] = []
        let (a, b) = (from ?? .min, other.from ?? .min)
        if a != b { ranges.append((min(a, b), max(a, b))) }
        if until != other.until { ranges.append((min(until, other.until), max(until, other.until))) }
        return ranges
    }
}
