import Testing
@testable import LoyaltyKit

@Suite struct FieldParsingTests {
    func bytes<T>(_ text: String, _ body: (UnsafeBufferPointer<UInt8>) throws -> T) rethrows -> T {
        var text = text
        return try text.withUTF8(body)
    }

    func money(_ text: String) throws -> Int64 { try bytes(text) { try FieldParser.decimal($0, scale: 4) } }

    @Test func moneyIsExactMinorUnits() throws {
        #expect(try money("3.10") == 31_000)
        #expect(try money("0.1") == 1_000)
        #expect(try money("-2.5") == -25_000)
        #expect(try money("12") == 120_000)
        #expect(try money("1.2345") == 12_345)
        #expect(try money("1.50000") == 15_000)
        #expect(try money(" 7.25 ") == 72_500)
        #expect(try money(".5") == 5_000)
    }

    @Test func moneyRejectsWhatIsNotMoney() {
        #expect(throws: FieldError.tooManyDecimals(4)) { try money("1.23456") }
        #expect(throws: FieldError.notANumber) { try money("abc") }
        #expect(throws: FieldError.notANumber) { try money("1,50") }
        #expect(throws: FieldError.notANumber) { try money("1.2.3") }
        #expect(throws: FieldError.notANumber) { try money("-") }
        #expect(throws: FieldError.outOfRange) { try money("99999999999999999") }
    }

    @Test func wholeNumbers() throws {
        #expect(try bytes("-3") { try FieldParser.wholeNumber($0) } == -3)
        #expect(try bytes("2.0") { try FieldParser.wholeNumber($0) } == 2)
        #expect(throws: FieldError.notAWholeNumber) { try bytes("2.5") { try FieldParser.wholeNumber($0) } }
    }

    @Test func datesAreValidatedAgainstTheCalendar() throws {
        #expect(try bytes("1970-01-01") { try FieldParser.date($0) } == 0)
        #expect(try bytes("2026-11-22") { try FieldParser.date($0) } == 20_779)
        #expect(try bytes("2024-02-29") { try FieldParser.date($0) } == 19_782)
        #expect(throws: FieldError.notADate) { try bytes("2026-02-29") { try FieldParser.date($0) } }
        #expect(throws: FieldError.notADate) { try bytes("1990-02-30") { try FieldParser.date($0) } }
        #expect(throws: FieldError.notADate) { try bytes("2026-13-01") { try FieldParser.date($0) } }
        #expect(throws: FieldError.notADate) { try bytes("26-11-22") { try FieldParser.date($0) } }
        #expect(CivilDate.format(20_779) == "2026-11-22")
        #expect(CivilDate.format(-1) == "1969-12-31")
        for day in stride(from: Int64(-800_000), to: 800_000, by: 997) {
            let (y, m, d) = CivilDate.civil(day)
            #expect(CivilDate.days(year: y, month: m, day: d) == day)
        }
    }

    @Test func timestampsWithAndWithoutZone() throws {
        let noon = Int64(20_779) * 86_400 + 18 * 3600 + 4 * 60 + 5
        let parse = { (text: String) throws -> FieldParser.Timestamp in try self.bytes(text) { try FieldParser.timestamp($0) } }
        #expect(try parse("2026-11-22T18:04:05Z") == .init(localSeconds: noon, offsetSeconds: 0))
        #expect(try parse("2026-11-22 18:04:05") == .init(localSeconds: noon, offsetSeconds: nil))
        #expect(try parse("2026-11-22T18:04:05.123+02:00") == .init(localSeconds: noon, offsetSeconds: 7200))
        #expect(try parse("2026-11-22T18:04:05-0130") == .init(localSeconds: noon, offsetSeconds: -5400))
        #expect(try parse("2026-11-22T18:04") == .init(localSeconds: noon - 5, offsetSeconds: nil))
        #expect(try parse("2026-11-22") == .init(localSeconds: 20_779 * 86_400, offsetSeconds: nil))
        #expect(throws: FieldError.notATimestamp) { try parse("2026-13-45T10:00:00Z") }
        #expect(throws: FieldError.notATimestamp) { try parse("2026-11-22T25:00:00Z") }
        #expect(throws: FieldError.notATimestamp) { try parse("2026-11-22T10:00:00Q") }
        #expect(throws: FieldError.notATimestamp) { try parse("yesterday") }
    }

    @Test func zoneClockReadsLocalTimesInTheConfiguredZone() throws {
        let berlin = try ZoneClock(identifier: "Europe/Berlin")
        let winter = FieldParser.Timestamp(localSeconds: CivilDate.days(year: 2026, month: 1, day: 15) * 86_400 + 12 * 3600, offsetSeconds: nil)
        let summer = FieldParser.Timestamp(localSeconds: CivilDate.days(year: 2026, month: 7, day: 15) * 86_400 + 12 * 3600, offsetSeconds: nil)
        #expect(berlin.utcSeconds(winter) == winter.localSeconds - 3600)
        #expect(berlin.utcSeconds(summer) == summer.localSeconds - 7200)
        // An explicit zone wins over the configured one.
        #expect(berlin.utcSeconds(.init(localSeconds: 1000, offsetSeconds: 0)) == 1000)
        // 23:30 UTC on Jan 15 is already Jan 16 in Berlin.
        let lateUTC = CivilDate.days(year: 2026, month: 1, day: 15) * 86_400 + 23 * 3600 + 1800
        #expect(berlin.localDay(utcSeconds: lateUTC) == CivilDate.days(year: 2026, month: 1, day: 16))
        #expect(throws: LoyaltyError.self) { try ZoneClock(identifier: "Mars/Olympus") }
    }

    @Test func booleans() throws {
        for text in ["true", "TRUE", "1", "yes", "Yes"] { #expect(try bytes(text) { try FieldParser.boolean($0) }) }
        for text in ["false", "0", "no", "NO", ""] { #expect(try bytes(text) { try FieldParser.boolean($0) } == false) }
        #expect(throws: FieldError.notABoolean) { try bytes("maybe") { try FieldParser.boolean($0) } }
        #expect(throws: FieldError.notABoolean) { try bytes("y") { try FieldParser.boolean($0) } }
    }

    @Test func moneyFormatsHalfAwayFromZero() {
        #expect(Money.format(123_450) == "12.35")
        #expect(Money.format(123_449) == "12.34")
        #expect(Money.format(-123_450) == "-12.35")
        #expect(Money.format(-49) == "0.00")
        #expect(Money.format(-50) == "-0.01")
        #expect(Money.format(10_000_000) == "1000.00")
        #expect(Money.format(12_345, decimals: 4) == "1.2345")
        #expect(Money.format(5, decimals: 0) == "0")
        #expect(Money.format(5_000, decimals: 0) == "1")
    }
}
