import Foundation

/// Converts between wall-clock times in the pipeline's configured time zone and UTC seconds.
///
/// The contract reads a timestamp without a zone as local time in `timezone`, and `as_of` is a
/// local day. Foundation's zone lookups are slow for a per-row call, so the offset is cached per
/// local hour: order lines arrive roughly in time order, so the cache almost always hits.
public final class ZoneClock {
    public let identifier: String
    private let zone: TimeZone
    private let isUTC: Bool
    private var cachedHour: Int64 = .min
    private var cachedOffset: Int64 = 0
    // Zone offsets change on the hour (or half hour, for a few zones' DST): cache per UTC hour.
    private var cachedUTCHour: Int64 = .min
    private var cachedUTCOffset: Int64 = 0

    /// - Throws: `LoyaltyError.config` naming `timezone` when the identifier is unknown.
    public init(identifier: String) throws {
        guard let zone = TimeZone(identifier: identifier) else {
            throw LoyaltyError.config(
                file: "", line: nil, key: "timezone",
                message: "unknown time zone '\(identifier)' (use an IANA name such as UTC or Europe/Berlin)")
        }
        self.identifier = identifier
        self.zone = zone
        isUTC = zone.secondsFromGMT() == 0 && (identifier == "UTC" || identifier == "GMT" || identifier == "Etc/UTC")
    }

    private init(identifier: String, zone: TimeZone, isUTC: Bool) {
        self.identifier = identifier
        self.zone = zone
        self.isUTC = isUTC
    }

    /// The same zone with a cache of its own. The cache is not safe to share between threads (its
    /// hour and offset are updated as a pair), so each thread of a split scan takes a copy.
    public func copy() -> ZoneClock { ZoneClock(identifier: identifier, zone: zone, isUTC: isUTC) }

    /// UTC seconds for a parsed timestamp: its own offset if it has one, else the zone's.
    @inline(__always)
    public func utcSeconds(_ timestamp: FieldParser.Timestamp) -> Int64 {
        if let offset = timestamp.offsetSeconds { return timestamp.localSeconds - offset }
        if isUTC { return timestamp.localSeconds }
        return timestamp.localSeconds - offset(forLocal: timestamp.localSeconds)
    }

    /// The local day number (days since 1970-01-01) that UTC instant `seconds` falls on.
    public func localDay(utcSeconds seconds: Int64) -> Int64 {
        Self.day(ofLocalSeconds: localSeconds(utcSeconds: seconds))
    }

    /// The day number of a local time in seconds (rounding down before 1970 too).
    public static func day(ofLocalSeconds local: Int64) -> Int64 {
        local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
    }

    /// The local wall-clock time of UTC instant `seconds`, as seconds since 1970-01-01 local.
    public func localSeconds(utcSeconds seconds: Int64) -> Int64 {
        guard !isUTC else { return seconds }
        let hour = seconds >= 0 ? seconds / 3600 : (seconds - 3599) / 3600
        if hour != cachedUTCHour {
            cachedUTCHour = hour
            cachedUTCOffset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(hour * 3600))))
        }
        return seconds + cachedUTCOffset
    }

    /// The UTC instant at which local day `day` begins.
    public func startOfDay(_ day: Int64) -> Int64 {
        utcSeconds(FieldParser.Timestamp(localSeconds: day * 86_400, offsetSeconds: nil))
    }

    /// Today's local day number: used only to default `as_of`, never inside a stage.
    public func today(now: Date = Date()) -> Int64 {
        localDay(utcSeconds: Int64(now.timeIntervalSince1970.rounded(.down)))
    }

    private func offset(forLocal local: Int64) -> Int64 {
        let hour = local >= 0 ? local / 3600 : (local - 3599) / 3600
        if hour == cachedHour { return cachedOffset }
        // The offset at the local time read as UTC is right except within hours of a DST switch;
        // one correction step settles it.
        let guess = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local))))
        let offset = Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: Double(local - guess))))
        cachedHour = hour
        cachedOffset = offset
        return offset
    }
}
